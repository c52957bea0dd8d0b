"""The demo club plus planted canaries: unique strings a reader must never receive.

Each canary is ``CANARY-<kind>-<hex>``, fresh for every run, planted where the
club promises to withhold it: an unrevealed spoiler, content nested inside a
spoiler, a gated discussion question, a hidden comment, the titles of
spoiler-only media, a draft's title, slug and body, a pending revision of a
live page, a just-unpublished page, restricted pages and a member's own
uploads. The canary sweep fetches every response the site serves and looks
for them in the raw bytes.

Everything here belongs to one member, Carol, who has read every book; the
readers of the sweep are strangers to her content.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction

from reviews.demo import load_demo
from reviews.indexing import add_and_publish
from reviews.models import (
    Book,
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
    NominationRound,
    ReadingProgress,
    ReviewIndexPage,
    ReviewPage,
)
from reviews.roles import EDITORS, MEMBERS
from tests.factories import make_image

#: Canaries a logged-in member may legitimately receive: the page is
#: restricted to logged-in users, and the reader is one.
MEMBER_MAY_SEE = frozenset({"loginonly-title", "loginonly-body"})


def _token(kind: str) -> str:
    return f"CANARY-{kind}-{secrets.token_hex(5)}"


@dataclass
class CanaryWorld:
    """What the sweep needs to fill URLs, and the canaries to look for."""

    canaries: dict[str, str]
    author: object
    stranger: object
    #: Ids by name, to fill URL parameters (``review``, ``discussion``, …).
    ids: dict[str, int] = field(default_factory=dict)
    #: Stream block ids by name, with the key of their page in ``ids``, for
    #: the reveal endpoints.
    blocks: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Canaries each named block may show once asked for on purpose.
    block_reveals: dict[str, frozenset[str]] = field(default_factory=dict)

    def hidden_from(self, viewer_is_member: bool) -> dict[str, str]:
        """The canaries a reader of this kind must not receive."""
        return {
            kind: value
            for kind, value in self.canaries.items()
            if not (viewer_is_member and kind in MEMBER_MAY_SEE)
        }


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}


def _spoiler(book: Book, chapter: int | None, label: str, content: list) -> dict:
    return {
        "type": "spoiler",
        "id": str(uuid.uuid4()),
        "value": {
            "spoils": book.pk,
            "chapter": chapter,
            "label": label,
            "content": content,
        },
    }


def _image_block(image, caption: str = "") -> dict:
    return {
        "type": "image",
        "id": str(uuid.uuid4()),
        "value": {
            "image": {"image": image.pk, "decorative": False, "alt_text": "A photo"},
            "caption": caption,
        },
    }


def _document(title: str, owner=None):
    document = get_document_model()(title=title, uploaded_by_user=owner)
    document.file.save(f"{secrets.token_hex(4)}.txt", ContentFile(b"notes"))
    document.save()
    return document


def _live_review(index: Page, author, book: Book, title: str, body: list, **fields):
    page = ReviewPage(
        title=title,
        slug=fields.pop("slug", None) or f"carol-{secrets.token_hex(4)}",
        owner=author,
        reviewer=author,
        book=book,
        summary=fields.pop("summary", "A spoiler-free summary by Carol."),
        body=body,
        **fields,
    )
    add_and_publish(index, page, user=author)
    page.refresh_from_db()
    return page


#: The renditions the site's templates and APIs ask for: the covers in cards,
#: pages, listings and Open Graph, the API's cover sizes, and an image
#: block's ``picture`` and API rendition.
RENDITION_SPECS = (
    "fill-64x96",
    "fill-128x192",
    "fill-96x144",
    "fill-192x288",
    "fill-160x240",
    "fill-320x480",
    "fill-1200x630",
    "max-600x900",
    "max-1200x1200|format-webp",
    *(
        f"format-{image_format}|width-{width}"
        for image_format in ("webp", "jpeg")
        for width in (400, 800, 1200)
    ),
)


def make_renditions() -> None:
    """Make every image's renditions with the world, as a site that has
    served its pages once holds them.

    The sweep's requests would otherwise make them again in each test (the
    test's savepoint rolls them back): a tenth of the module's time. A spec
    missing here costs only that time; a request still makes it.
    """
    for image in get_image_model().objects.all():
        image.get_renditions(*RENDITION_SPECS)


def build_canary_world() -> CanaryWorld:
    """Load the demo club, plant every canary, and index it all the way the
    ``load_demo`` command does."""
    load_demo()
    canaries = {
        kind: _token(kind)
        for kind in (
            "spoiler",
            "nested-quote",
            "nested-caption",
            "decoy",
            "question",
            "comment",
            "spoiler-image",
            "spoiler-document",
            "pending-image",
            "draft-title",
            "draft-slug",
            "draft-body",
            "pending-title",
            "pending-body",
            "unpublished-title",
            "loginonly-title",
            "loginonly-body",
            "groupsonly-title",
            "password-title",
            "password-slug",
            "password-body",
            "upload-image",
            "upload-document",
        )
    }
    # Slugs are lower case: the sweep compares case-insensitively.
    for kind in ("draft-slug", "password-slug"):
        canaries[kind] = canaries[kind].lower()

    User = get_user_model()
    members = Group.objects.get(name=MEMBERS)
    author = User.objects.create_user(
        "carol", email="carol@example.org", first_name="Carol", last_name="Finch"
    )
    author.groups.add(members)
    stranger = User.objects.create_user(
        "dora", email="dora@example.org", first_name="Dora", last_name="Newman"
    )
    stranger.groups.add(members)

    unread = Book.objects.create(
        title="The Unread Book", author="Nobody Yet", chapter_count=30
    )
    siege = Book.objects.get(title="The Siege")
    for book in Book.objects.all():
        ReadingProgress.objects.create(member=author, book=book, finished=True)

    reviews = ReviewIndexPage.objects.get()
    discussions = DiscussionIndexPage.objects.get()

    spoiler_image = make_image(canaries["spoiler-image"])
    spoiler_document = _document(canaries["spoiler-document"])
    upload_image = make_image(canaries["upload-image"])
    upload_image.uploaded_by_user = author
    upload_image.save()
    upload_document = _document(canaries["upload-document"], owner=author)
    pending_image = make_image(canaries["pending-image"])

    # A review of The Siege whose spoilers reveal a book nobody has read.
    decoy = _spoiler(siege, 5, "An early scene", [_paragraph(canaries["decoy"])])
    plain = _spoiler(unread, None, "How it ends", [_paragraph(canaries["spoiler"])])
    nested = _spoiler(
        unread,
        20,
        "A late turn",
        [
            {
                "type": "quote",
                "id": str(uuid.uuid4()),
                "value": {"text": canaries["nested-quote"], "attribution": ""},
            },
            _image_block(spoiler_image, caption=canaries["nested-caption"]),
            _paragraph(
                f'See <a linktype="document" id="{spoiler_document.pk}">the notes</a>.'
            ),
        ],
    )
    spoiling = _live_review(
        reviews,
        author,
        siege,
        "Carol on the siege",
        [_paragraph("An open opinion about the siege."), decoy, plain, nested],
        slug="carol-on-the-siege",
        rating=4.0,
    )

    draft = ReviewPage(
        title=canaries["draft-title"],
        slug=canaries["draft-slug"],
        owner=author,
        reviewer=author,
        book=unread,
        summary="A draft.",
        body=[_paragraph(canaries["draft-body"])],
        live=False,
    )
    reviews.add_child(instance=draft)
    draft.save_revision(user=author)

    pending = _live_review(
        reviews,
        author,
        unread,
        "Carol's first thoughts",
        [_paragraph("First thoughts, in the open.")],
    )
    pending.title = canaries["pending-title"]
    pending.body = [
        _paragraph(canaries["pending-body"]),
        _spoiler(unread, None, "Later", [_image_block(pending_image)]),
    ]
    revision = pending.save_revision(user=author)
    workflow = pending.get_workflow()
    if workflow is not None:
        workflow.start(pending, author)

    unpublished = _live_review(
        reviews,
        author,
        unread,
        canaries["unpublished-title"],
        [_paragraph("Soon withdrawn.")],
    )
    unpublished.unpublish(user=User.objects.get(username="editor"))

    restricted = {}
    for kind, restriction in (
        ("loginonly", {"restriction_type": PageViewRestriction.LOGIN}),
        ("groupsonly", {"restriction_type": PageViewRestriction.GROUPS}),
        (
            "password",
            {"restriction_type": PageViewRestriction.PASSWORD, "password": "x1y2"},
        ),
    ):
        page = _live_review(
            reviews,
            author,
            unread,
            canaries[f"{kind}-title"],
            [_paragraph(canaries.get(f"{kind}-body", "Restricted words."))],
            slug=canaries.get(f"{kind}-slug"),
        )
        view_restriction = PageViewRestriction.objects.create(page=page, **restriction)
        if kind == "groupsonly":
            view_restriction.groups.add(Group.objects.get(name=EDITORS))
        restricted[kind] = page

    gated_question = {
        "type": "question",
        "id": str(uuid.uuid4()),
        "value": {"question": canaries["question"], "chapter": 25},
    }
    discussion = DiscussionPage(
        title="The Unread Book, all of it",
        slug="the-unread-book",
        book=unread,
        starts_at=timezone.now() + timedelta(days=21),
        location="The back room, Corner Café",
        host="Carol",
        intro="<p>Bring the whole book.</p>",
        questions=[
            {
                "type": "question",
                "id": str(uuid.uuid4()),
                "value": {"question": "What did you expect?", "book": None},
            },
            gated_question,
        ],
    )
    add_and_publish(discussions, discussion)
    DiscussionComment.objects.create(
        page=discussion, author=author, body="The cover is lovely.", chapter=1
    )
    hidden_comment = DiscussionComment.objects.create(
        page=discussion, author=author, body=canaries["comment"], chapter=22
    )

    # Open text of a public review links to the draft and the password-protected
    # page: their slugs are canaries too.
    spoiling.body = [
        _paragraph(
            f'Compare <a linktype="page" id="{draft.pk}">my draft</a> and '
            f'<a linktype="page" id="{restricted["password"].pk}">the other</a>.'
        ),
        *spoiling.body.raw_data,
    ]
    spoiling.save_revision(user=author).publish()

    # Old URLs that redirect to the draft and the password-protected page.
    for key, page in (("draft", draft), ("password", restricted["password"])):
        Redirect.objects.create(old_path=f"/carol-old-{key}", redirect_page=page)

    call_command("update_index", verbosity=0)
    call_command("rebuild_references_index", verbosity=0)
    make_renditions()

    demo_discussion = DiscussionPage.objects.get(slug="the-betrayal")
    world = CanaryWorld(canaries=canaries, author=author, stranger=stranger)
    world.ids = {
        "review": spoiling.pk,
        "draft": draft.pk,
        "pending": pending.pk,
        "pending_revision": revision.pk,
        "unpublished": unpublished.pk,
        "loginonly": restricted["loginonly"].pk,
        "groupsonly": restricted["groupsonly"].pk,
        "password": restricted["password"].pk,
        "password_restriction": PageViewRestriction.objects.get(
            page=restricted["password"]
        ).pk,
        "discussion": discussion.pk,
        "demo_discussion": demo_discussion.pk,
        "comment": hidden_comment.pk,
        "book": unread.pk,
        "siege": siege.pk,
        "spoiler_image": spoiler_image.pk,
        "upload_image": upload_image.pk,
        "pending_image": pending_image.pk,
        "spoiler_document": spoiler_document.pk,
        "upload_document": upload_document.pk,
        "round": NominationRound.objects.order_by("pk").first().pk,
        "site": 1,
    }
    world.blocks = {
        "decoy": ("review", decoy["id"]),
        "plain": ("review", plain["id"]),
        "nested": ("review", nested["id"]),
        "unknown": ("review", str(uuid.uuid4())),
        "question": ("discussion", gated_question["id"]),
    }
    world.block_reveals = {
        "decoy": frozenset({"decoy"}),
        "plain": frozenset({"spoiler"}),
        "nested": frozenset({"nested-quote", "nested-caption", "spoiler-image"}),
        "question": frozenset({"question"}),
    }
    return world
