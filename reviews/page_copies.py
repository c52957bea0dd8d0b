"""A copy of a page, and of the pages below it, commits as one.

Wagtail's copy (``CopyPageAction``, behind the admin's copy view, API v3's
``actions/copy/`` and ``Page.copy``) publishes a copy (``page_published``)
before it copies the source's view restrictions onto it, and runs outside
any transaction. Whatever a publish starts on commit (a webhook delivery,
the email to a book's followers) then ran at once, in autocommit, or raced
the rest of the copy in a worker: the copy of a restricted review was
announced, title, address and body, as a public one. Inside one
transaction, those start after the whole copy has committed, and each asks
again then whether the page is public (:func:`reviews.webhooks.deliver`,
:func:`reviews.notifications.tasks`).
"""

from __future__ import annotations

import functools

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction


def use_atomic_page_copies() -> None:
    """Run every ``CopyPageAction.execute`` in a transaction (a savepoint
    inside one). Should a Wagtail upgrade rename it, this fails loudly at
    start-up."""
    from wagtail.actions.copy_page import CopyPageAction

    execute = getattr(CopyPageAction, "execute", None)
    if execute is None:
        raise ImproperlyConfigured(
            "wagtail.actions.copy_page.CopyPageAction.execute is gone: a copy "
            "of a restricted page would be announced as a public one."
        )
    if getattr(execute, "atomic_copy", False):
        return

    @functools.wraps(execute)
    def atomic_execute(self, *args, **kwargs):
        with transaction.atomic():
            return execute(self, *args, **kwargs)

    atomic_execute.atomic_copy = True  # type: ignore[attr-defined]
    CopyPageAction.execute = atomic_execute  # type: ignore[method-assign]
