"""The club's groups: members write reviews; editors moderate and publish."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
)

from .models import (
    Book,
    DiscussionComment,
    DocumentApproval,
    ImageApproval,
    Invitation,
    NominationRound,
    ReadingProgress,
    Webhook,
    WebhookDelivery,
)

MEMBERS = "Members"
EDITORS = "Editors"
MODERATORS = "Moderators"

#: Members upload images and documents (and change their own) and choose
#: them, alike.
MEMBERS_MEDIA = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)
#: Editors approve media, so they choose any image or document.
EDITORS_MEDIA = (
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "choose_document"),
)


def _model_permissions(model, actions) -> list[Permission]:
    content_type = ContentType.objects.get_for_model(model)
    return list(
        Permission.objects.filter(
            content_type=content_type,
            codename__in=[f"{action}_{model._meta.model_name}" for action in actions],
        )
    )


def ensure_groups(review_index: Page) -> dict[str, Group]:
    """Create or update the club's groups; idempotent.

    Members may enter the admin, add reviews under ``review_index`` (Wagtail's
    "add" lets them edit only pages they own) and submit them for moderation,
    and choose or upload images and documents (Wagtail's "add" lets them
    change only their own; who sees each is reviews.media_visibility's
    rule). Editors and moderators manage books, progress and comments,
    publish, and approve images and documents.
    """
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    members, _ = Group.objects.get_or_create(name=MEMBERS)
    members.permissions.add(access_admin)
    add_page = Permission.objects.get(
        content_type__app_label="wagtailcore", codename="add_page"
    )
    GroupPagePermission.objects.get_or_create(
        group=members, page=review_index, permission=add_page
    )
    root_collection = Collection.get_first_root_node()
    _on_collection(members, root_collection, MEMBERS_MEDIA)

    groups = {MEMBERS: members}
    site_root = review_index.get_parent()
    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore",
        codename__in=["add_page", "change_page", "publish_page"],
    )
    for name in (EDITORS, MODERATORS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        group.permissions.add(
            *_model_permissions(Book, ("add", "change", "delete", "view")),
            *_model_permissions(ReadingProgress, ("add", "change", "delete", "view")),
            *_model_permissions(DiscussionComment, ("change", "view")),
            *_model_permissions(NominationRound, ("add", "change", "view")),
            *_model_permissions(Webhook, ("add", "change", "delete", "view")),
            *_model_permissions(WebhookDelivery, ("view",)),
            *_model_permissions(Invitation, ("add", "delete", "view")),
            *_model_permissions(ImageApproval, ("add", "delete", "view")),
            *_model_permissions(DocumentApproval, ("add", "delete", "view")),
        )
        _on_collection(group, root_collection, EDITORS_MEDIA)
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page=site_root, permission=permission
            )
        groups[name] = group
    _editors_approve(review_index, groups[EDITORS])
    return groups


def _on_collection(
    group: Group, collection: Collection, permissions: tuple[tuple[str, str], ...]
) -> None:
    """Give ``group`` these ``(app label, codename)`` permissions on
    ``collection`` and the collections below it."""
    for app_label, codename in permissions:
        permission = Permission.objects.get(
            content_type__app_label=app_label, codename=codename
        )
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def _editors_approve(review_index: Page, editors: Group) -> None:
    """Editors, not only Wagtail's Moderators, approve members' reviews."""
    workflow = review_index.get_workflow()
    if workflow is None:
        return
    for task in workflow.tasks.specific():
        if isinstance(task, GroupApprovalTask):
            task.groups.add(editors)
