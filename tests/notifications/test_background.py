"""In production an email is sent by a worker, not inside the request.

Production settings use django-tasks' database backend: publishing queues the
followers' emails as rows, and `manage.py db_worker` sends them. The tests
keep the immediate backend everywhere else, so they stay deterministic; here
the worker runs once, in batch mode, at a point the test chooses.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import make_review
from tests.production.helpers import production_env, run_python

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"

#: Real commits: the worker takes a task in a transaction of its own.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND}}


def test_publishing_queues_the_email_and_the_worker_sends_it(
    database_tasks, smtp, book, reader, reviewer
):
    review = make_review(book=book, owner=reviewer, live=False)
    review.save_revision().publish()
    assert smtp.raw == []
    queued = DBTaskResult.objects.get(
        task_path="reviews.notifications.tasks.send_notification"
    )

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    message = smtp.only()
    assert message["X-Envelope-To"] == reader.email
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_production_settings_queue_tasks_in_the_database():
    result = run_python(
        [
            "-c",
            "import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.TASKS))",
        ],
        production_env(),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default"]["BACKEND"] == DATABASE_BACKEND
