"""Wagtail's publish and unpublish, each in one transaction.

Wagtail saves the object in a transaction of its own and then sends
``published`` / ``page_published`` (or the unpublished signals), whose
receivers write too: the club's retire the cache tags of what changed
(reviews.invalidation), record the media a page uses, queue webhooks. Each
of those committed on its own, after the page's row. So a publish retired
the listings that show the page twice, in two commits (the database's
triggers with the row, then the receiver): a reader in between rebuilt each
listing, then rebuilt it again. And a receiver that failed left the page
published with the rest of its bookkeeping undone.

:func:`publish_in_one_transaction` runs each action's ``execute`` inside
``transaction.atomic``: everything a publish writes commits together, once,
and the edge is purged after that one commit (reviews.invalidation sends its
purges ``on_commit``). Inside an enclosing transaction it is a savepoint,
as any ``atomic`` is.

Wrapped here rather than in each view: the admin's edit view, the API's
actions, ``publish_scheduled`` and ``Revision.publish()`` all call these
actions, and Wagtail offers no setting for the action classes.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from wagtail.actions.publish_revision import PublishRevisionAction
from wagtail.actions.unpublish import UnpublishAction

#: Set on a wrapped ``execute``, so that calling this twice wraps it once.
_MARKER = "_bookclub_one_transaction"


def _in_one_transaction(execute: Any) -> Any:
    if getattr(execute, _MARKER, False):
        return execute

    @functools.wraps(execute)
    def atomic_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return execute(self, *args, **kwargs)

    setattr(atomic_execute, _MARKER, True)
    return atomic_execute


def publish_in_one_transaction() -> None:
    """Make every publish and unpublish of one page or snippet commit once
    (the page and snippet actions inherit these two ``execute`` methods).

    A page unpublished with its descendants is not one transaction: its
    ``execute`` unpublishes the page, then each live descendant, each in a
    transaction of its own, as before. In one, the first page's retired
    tags (the ``all`` row among them) would stay locked while it locked the
    descendants' rows one by one: a publish of a descendant, holding that
    row and waiting for ``all``, deadlocked with it, and every other write
    waited for the whole subtree (``tests/caching/test_publish_commits_once.py``).
    """
    for action in (PublishRevisionAction, UnpublishAction):
        action.execute = _in_one_transaction(vars(action)["execute"])  # type: ignore[method-assign]
