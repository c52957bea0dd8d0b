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
from wagtail.actions.unpublish_page import UnpublishPageAction

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
    """Make every publish and unpublish of a page or a snippet commit once.
    The page and snippet actions inherit these ``execute`` methods, but for
    the page's unpublish, which goes on to the page's live descendants: its
    own is wrapped too, so that a subtree is unpublished in one commit."""
    for action in (PublishRevisionAction, UnpublishAction, UnpublishPageAction):
        action.execute = _in_one_transaction(vars(action)["execute"])  # type: ignore[method-assign]
