"""Signal wiring: cache invalidation (reviews/invalidation.py), where
published pages use media, publish webhooks and members' notifications."""

from __future__ import annotations

from collections.abc import Callable

from django.core import signals as core_signals
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.models import Page
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    pre_page_move,
)

from . import (
    conf,
    content_version,
    frontend_cache,
    invalidation,
    media_visibility,
    redirects,
    response_cache,
    webhooks,
)
from .models.page_types import forget_index_parents
from .notifications import events as notification_events


def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        frontend_cache.page_changed(sender=sender, instance=instance)


def register_signal_handlers() -> None:
    from django.contrib.auth import get_user_model
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site

    from .models import (
        Book,
        DiscussionComment,
        DocumentApproval,
        ImageApproval,
        MeetingRSVP,
        Nomination,
        NominationRound,
        SeriesEntry,
        Vote,
        remember_stored_book,
    )
    from .models.members import (
        end_tokens_of_new_password,
        give_new_user_a_profile,
        note_new_password,
    )

    core_signals.request_started.connect(
        content_version.request_started, dispatch_uid="reviews_version_started"
    )
    core_signals.request_finished.connect(
        content_version.request_finished, dispatch_uid="reviews_version_finished"
    )
    core_signals.setting_changed.connect(
        conf.forget, dispatch_uid="reviews_forget_settings"
    )
    core_signals.setting_changed.connect(
        response_cache.forget_local, dispatch_uid="reviews_forget_local_responses"
    )
    core_signals.setting_changed.connect(
        forget_index_parents, dispatch_uid="reviews_forget_index_parents"
    )
    # Before a page about a book is saved: the book it names before the save.
    pre_save.connect(remember_stored_book, dispatch_uid="reviews_stored_book")
    pre_save.connect(
        media_visibility.store_document_apart,
        sender=get_document_model(),
        dispatch_uid="reviews_document_stored_apart",
    )
    # Before the caches move on: listings must see the page's new media uses.
    page_published.connect(
        media_visibility.on_page_changed, dispatch_uid="reviews_media_published"
    )
    page_unpublished.connect(
        media_visibility.on_page_unpublished,
        dispatch_uid="reviews_media_unpublished",
    )
    media_visibility.media_uses_changed.connect(
        invalidation.media_uses_changed, dispatch_uid="reviews_media_uses_retire"
    )
    page_published.connect(
        invalidation.page_published, dispatch_uid="reviews_cache_published"
    )
    page_unpublished.connect(
        invalidation.page_published, dispatch_uid="reviews_cache_unpublished"
    )
    post_page_move.connect(invalidation.page_moved, dispatch_uid="reviews_cache_moved")
    post_save.connect(invalidation.page_saved, dispatch_uid="reviews_cache_page_saved")
    post_delete.connect(
        invalidation.page_deleted, dispatch_uid="reviews_cache_page_deleted"
    )
    post_save.connect(
        give_new_user_a_profile,
        sender=get_user_model(),
        dispatch_uid="reviews_member_profile",
    )
    # A new password ends the member's API tokens, as it ends their sessions.
    pre_save.connect(
        note_new_password, sender=get_user_model(), dispatch_uid="reviews_new_password"
    )
    post_save.connect(
        end_tokens_of_new_password,
        sender=get_user_model(),
        dispatch_uid="reviews_new_password_tokens",
    )
    # An edge cache purged by surrogate key once a change commits.
    invalidation.tags_retired.connect(
        frontend_cache.purge_retired, dispatch_uid="reviews_edge_purge"
    )
    # Front-end caches purged by URL (WAGTAILFRONTENDCACHE, or the older
    # WAGTAILFRONTENDCACHE_LOCATION), once the change commits; Wagtail's own
    # handlers would purge inside the transaction.
    frontend_cache.defer_wagtails_page_purges()
    page_published.connect(
        frontend_cache.page_changed, dispatch_uid="reviews_api_published"
    )
    page_unpublished.connect(
        frontend_cache.page_changed, dispatch_uid="reviews_api_unpublished"
    )
    pre_page_move.connect(
        frontend_cache.page_moving, dispatch_uid="reviews_urls_left_by_move"
    )
    post_page_move.connect(
        frontend_cache.page_changed, dispatch_uid="reviews_api_moved"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            frontend_cache.restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"reviews_urls_restricted_{signal is post_save}",
        )
    pre_save.connect(
        frontend_cache.comment_saving,
        sender=DiscussionComment,
        dispatch_uid="reviews_urls_comment_saving",
    )
    for signal in (post_save, post_delete):
        signal.connect(
            frontend_cache.comment_changed,
            sender=DiscussionComment,
            dispatch_uid=f"reviews_urls_comment_{signal is post_save}",
        )
    post_delete.connect(_page_deleted, dispatch_uid="reviews_api_page_deleted")
    for media in (get_image_model(), get_document_model()):
        for signal in (post_save, pre_delete):
            signal.connect(
                frontend_cache.media_changing,
                sender=media,
                dispatch_uid=f"reviews_urls_{media.__name__}_{signal is post_save}",
            )
    page_published.connect(webhooks.on_published, dispatch_uid="reviews_hook_published")
    page_unpublished.connect(
        webhooks.on_unpublished, dispatch_uid="reviews_hook_unpublished"
    )
    # Before the rows go: a deleted page's own view restriction goes first.
    pre_delete.connect(webhooks.on_deleted, dispatch_uid="reviews_hook_deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            webhooks.on_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"reviews_hook_restricted_{signal is post_save}",
        )
    page_published.connect(
        notification_events.on_page_published, dispatch_uid="reviews_notify_review"
    )
    post_save.connect(
        notification_events.on_comment_saved,
        sender=DiscussionComment,
        dispatch_uid="reviews_notify_reply",
    )
    # A book's old address redirects to its new one.
    pre_save.connect(
        redirects.book_slug_changing, sender=Book, dispatch_uid="reviews_book_slug"
    )
    post_delete.connect(
        redirects.book_deleted, sender=Book, dispatch_uid="reviews_book_redirects"
    )
    receivers: dict[type, Callable[..., None]] = {
        Book: invalidation.book_changed,
        SeriesEntry: invalidation.series_entry_changed,
        DiscussionComment: invalidation.comment_changed,
        MeetingRSVP: invalidation.rsvp_changed,
        NominationRound: invalidation.round_changed,
        Nomination: invalidation.round_changed,
        Vote: invalidation.vote_changed,
        PageViewRestriction: invalidation.structure_changed,
        Site: invalidation.structure_changed,
        get_image_model(): invalidation.structure_changed,
        get_document_model(): invalidation.structure_changed,
        ImageApproval: invalidation.structure_changed,
        DocumentApproval: invalidation.structure_changed,
    }
    member = get_user_model()
    pre_save.connect(
        invalidation.member_saving, sender=member, dispatch_uid="reviews_member_saving"
    )
    post_save.connect(
        invalidation.member_changed, sender=member, dispatch_uid="reviews_member_saved"
    )
    pre_delete.connect(
        invalidation.member_deleting,
        sender=member,
        dispatch_uid="reviews_member_deleting",
    )
    for model, receiver in receivers.items():
        for signal in (post_save, post_delete):
            signal.connect(
                receiver,
                sender=model,
                dispatch_uid=f"reviews_cache_{model.__name__}_{signal is post_save}",
            )
