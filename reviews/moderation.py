"""What a moderation workflow publishes when its last task is approved.

Wagtail's default (``wagtail.workflows.publish_workflow_state``) publishes
the page's *latest* revision. A revision saved after the one in moderation
then went live with the approval, though no moderator had seen it: one
saved in a race with the submit, one made by Wagtail's own API revert
(``POST /api/v3/pages/{id}/actions/revert/``, which asks no lock), or by
any write that gets past the workflow's lock. The approval publishes the
revision its last task was on instead, the one the moderator previewed and
approved; a newer one stays a draft, to be submitted in its turn.

Installed by ``WAGTAIL_FINISH_WORKFLOW_ACTION`` (Wagtail's own setting for
this); :func:`reviews.checks.check_finish_workflow_action` warns a site
that leaves Wagtail's default.
"""

from __future__ import annotations

from typing import Any

#: The value of ``WAGTAIL_FINISH_WORKFLOW_ACTION`` that installs this.
FINISH_WORKFLOW_ACTION = "reviews.moderation.publish_moderated_revision"


def publish_moderated_revision(workflow_state: Any, user: Any = None) -> None:
    """Publish the revision ``workflow_state``'s last task approved."""
    task_state = workflow_state.current_task_state
    revision = task_state.revision if task_state is not None else None
    if revision is None:
        # A workflow with no task state: nothing was shown to a moderator
        # but the page as it stands (Wagtail's own choice).
        revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user)


def keep_live_revision(request: Any, page: Any) -> None:
    """A ``before_edit_page`` hook: a save in the page editor never rewrites
    the page's live revision.

    Wagtail lets a save overwrite the latest revision when its user made it
    (``overwrite_revision_id``, what the editor's autosave sends after its
    first save), live or not; and a review a moderator approved is live on
    its member's own revision. Rewritten, the live revision would hold text
    no moderator saw: the history would show it as published, and the next
    publish of that revision (an editor's republish) would send it. Such a
    save starts a draft revision instead, which the session's next autosave
    overwrites as usual.
    """
    live = getattr(page, "live_revision_id", None)
    if request.method != "POST" or live is None:
        return
    if request.POST.get("overwrite_revision_id") != str(live):
        return
    kept = request.POST.copy()
    del kept["overwrite_revision_id"]
    request.POST = kept
