"""In production a password reset email is sent by the task worker: the
request answers at once whether or not the address has an account (no timing
difference from talking to the mail server), and the queued task holds no
reset token, only whom to write to."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import UserFactory
from tests.fixtures.mail import link_in

#: Real commits: the worker takes a task in a transaction of its own.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


def test_the_reset_email_is_queued_without_its_token_and_sent_by_the_worker(
    client, smtp_inbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UserFactory(username="dora", email="dora@example.org")

    response = client.post("/accounts/password-reset/", {"email": "dora@example.org"})
    assert response.status_code == 302
    assert smtp_inbox.messages == []
    queued = DBTaskResult.objects.get(task_path__endswith="send_password_reset")

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    message = smtp_inbox.only()
    assert message["To"] == "dora@example.org"
    token = link_in(message).rstrip("/").rsplit("/", 1)[-1]
    assert token not in json.dumps(queued.args_kwargs)
    response = client.get(link_in(message), follow=True)
    assert b"Choose a new password" in response.content
