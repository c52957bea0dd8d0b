"""A link to a page the reader may not see gives nothing of it away.

Rich text that links to a draft, an unpublished or a view-restricted page
renders the link as plain text (no href, so no slug) for a reader who may not
see the target, in HTML and in both APIs; an editor of the target still gets
the link.
"""

import json
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction

from reviews.models import ReviewPage, SeriesPage
from tests.factories import UserFactory, make_image, make_review, make_series
from tests.fixtures.database import built_once

from .conftest import BuiltReview, shared_review
from .helpers import bearer, link_data, paragraph_contentstates

pytestmark = pytest.mark.django_db

# Every test here reads the linked pages and their targets: built once for
# the module, on the conftest's books.
siege, betrayal, review = shared_review()

DRAFT_SLUG = "draft-kolya-survives"
UNPUBLISHED_SLUG = "unpublished-anna-leaves"
RESTRICTED_SLUG = "restricted-marina-dies"
OPEN_SLUG = "open-review-of-the-siege"
HIDDEN_SLUGS = (DRAFT_SLUG, UNPUBLISHED_SLUG, RESTRICTED_SLUG)


def _link(page, text: str) -> str:
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


def _targets(betrayal) -> dict[str, ReviewPage]:
    draft = make_review(book=betrayal, slug=DRAFT_SLUG, live=False)
    unpublished = make_review(book=betrayal, slug=UNPUBLISHED_SLUG)
    unpublished.unpublish()
    restricted = make_review(book=betrayal, slug=RESTRICTED_SLUG)
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.LOGIN
    )
    open_page = make_review(book=betrayal, slug=OPEN_SLUG)
    return {
        "draft": draft,
        "unpublished": unpublished,
        "restricted": restricted,
        "open": open_page,
    }


def _paragraph(targets) -> str:
    return "<p>See {}, {}, {} and {}.</p>".format(
        _link(targets["draft"], "DRAFTLINKTEXT"),
        _link(targets["unpublished"], "GONELINKTEXT"),
        _link(targets["restricted"], "PRIVATELINKTEXT"),
        _link(targets["open"], "OPENLINKTEXT"),
    )


class BuiltLinks(NamedTuple):
    targets: dict[str, ReviewPage]
    linking_review: ReviewPage
    linking_series: SeriesPage
    spoiler_linking_review: ReviewPage


@pytest.fixture(scope="module")
def built_links(django_db_blocker, built_review: BuiltReview) -> Iterator[BuiltLinks]:
    with built_once(django_db_blocker):
        siege, betrayal = built_review.siege, built_review.betrayal
        targets = _targets(betrayal)
        yield BuiltLinks(
            targets,
            _linking_review(betrayal, targets),
            _linking_series(siege, targets),
            _spoiler_linking_review(betrayal, targets),
        )


@pytest.fixture
def targets(built_links: BuiltLinks) -> dict[str, ReviewPage]:
    return {
        name: ReviewPage.objects.get(pk=page.pk)
        for name, page in built_links.targets.items()
    }


@pytest.fixture
def linking_review(built_links: BuiltLinks) -> ReviewPage:
    return ReviewPage.objects.get(pk=built_links.linking_review.pk)


@pytest.fixture
def linking_series(built_links: BuiltLinks) -> SeriesPage:
    return SeriesPage.objects.get(pk=built_links.linking_series.pk)


@pytest.fixture
def spoiler_linking_review(built_links: BuiltLinks) -> ReviewPage:
    return ReviewPage.objects.get(pk=built_links.spoiler_linking_review.pk)


def _linking_review(betrayal, targets) -> ReviewPage:
    return make_review(
        book=betrayal,
        title="Links everywhere",
        slug="links-everywhere",
        body=[{"type": "paragraph", "value": _paragraph(targets)}],
    )


def _linking_series(siege, targets) -> SeriesPage:
    return make_series("Linked series", [(siege, 1)], description=_paragraph(targets))


@pytest.fixture
def editor(db):
    return UserFactory(username="chief", is_superuser=True, is_staff=True)


def _assert_no_hidden_slug(content: bytes) -> None:
    for slug in HIDDEN_SLUGS:
        assert slug.encode() not in content, slug


def _assert_only_open_link(content: bytes) -> None:
    _assert_no_hidden_slug(content)
    assert OPEN_SLUG.encode() in content
    # The words of the link stay: only the link goes.
    for text in ("DRAFTLINKTEXT", "GONELINKTEXT", "PRIVATELINKTEXT"):
        assert text.encode() in content


def test_html_page_links_only_pages_the_reader_may_see(client, linking_review):
    response = client.get(linking_review.url)
    assert response.status_code == 200
    _assert_only_open_link(response.content)


@pytest.mark.parametrize("rich_text_format", ["html", "markdown"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/{pk}/?fields=*",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=body",
        "/api/v3/pages/{pk}/?",
    ],
)
def test_api_links_only_pages_the_reader_may_see(
    client, linking_review, url, rich_text_format
):
    response = client.get(
        url.format(pk=linking_review.pk) + f"&rich_text_format={rich_text_format}"
    )
    assert response.status_code == 200, response.content[:300]
    _assert_only_open_link(response.content)


@pytest.mark.parametrize("rich_text_format", ["html", "markdown"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/{pk}/?fields=description",
        "/api/v3/pages/{pk}/?",
        "/api/v3/series/{pk}/?",
    ],
)
def test_rich_text_fields_link_only_pages_the_reader_may_see(
    client, linking_series, url, rich_text_format
):
    response = client.get(
        url.format(pk=linking_series.pk) + f"&rich_text_format={rich_text_format}"
    )
    assert response.status_code == 200, response.content[:300]
    _assert_only_open_link(response.content)


@pytest.mark.parametrize("url", ["/api/v3/reviews/{pk}/", "/api/v3/reviews/"])
def test_club_review_endpoints_link_only_pages_the_reader_may_see(
    client, linking_review, url
):
    response = client.get(url.format(pk=linking_review.pk))
    assert response.status_code == 200, response.content[:300]
    _assert_no_hidden_slug(response.content)


def test_a_member_who_cannot_edit_the_target_gets_no_link(
    client, linking_review, reader_at_chapter_5
):
    client.force_login(reader_at_chapter_5)
    _assert_only_open_link(client.get(linking_review.url).content)
    response = client.get(
        f"/api/v2/pages/{linking_review.pk}/?rich_text_format=html",
        headers=bearer(reader_at_chapter_5),
    )
    _assert_only_open_link(response.content)


def test_an_editor_of_the_target_keeps_the_link(client, linking_review, editor):
    client.force_login(editor)
    html = client.get(linking_review.url).content
    assert f'href="/reviews/{DRAFT_SLUG}/"'.encode() in html
    assert f'href="/reviews/{RESTRICTED_SLUG}/"'.encode() in html
    response = client.get(
        f"/api/v3/pages/{linking_review.pk}/?rich_text_format=html",
        headers=bearer(editor),
    )
    assert DRAFT_SLUG.encode() in response.content


def test_the_link_returns_once_the_target_is_published(client, linking_review, targets):
    assert DRAFT_SLUG.encode() not in client.get(linking_review.url).content
    targets["draft"].save_revision().publish()
    assert f'href="/reviews/{DRAFT_SLUG}/"'.encode() in (
        client.get(linking_review.url).content
    )


def _spoiler_linking_review(betrayal, targets) -> ReviewPage:
    return make_review(
        book=betrayal,
        title="Links in a spoiler",
        slug="links-in-a-spoiler",
        body=[
            {
                "type": "spoiler",
                "value": {
                    "spoils": betrayal.pk,
                    "chapter": 3,
                    "label": "Early on",
                    "content": [{"type": "paragraph", "value": _paragraph(targets)}],
                },
            }
        ],
    )


@pytest.mark.parametrize(
    "url",
    [
        "{url}?spoilers=show",
        "/api/v2/pages/{pk}/?spoilers=show&rich_text_format=html",
        "/api/v3/pages/{pk}/?spoilers=show&rich_text_format=markdown",
    ],
)
def test_a_revealed_spoiler_links_only_pages_the_reader_may_see(
    client, spoiler_linking_review, url
):
    page = spoiler_linking_review
    response = client.get(url.format(url=page.url, pk=page.pk))
    assert response.status_code == 200, response.content[:300]
    _assert_only_open_link(response.content)


def _assert_only_open_page_named(content: bytes, targets) -> None:
    """Database formats name a link's page by its id, not its address."""
    text = content.decode()
    for name in ("draft", "unpublished", "restricted"):
        pk = targets[name].pk
        for spelling in (f'id=\\"{pk}\\"', f"page?id={pk})"):
            assert spelling not in text, (name, spelling)
    assert f"{targets['open'].pk}" in text
    for words in ("DRAFTLINKTEXT", "GONELINKTEXT", "PRIVATELINKTEXT", "OPENLINKTEXT"):
        assert words in text


@pytest.mark.parametrize("rich_text_format", ["", "db_html", "db_markdown"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/{review}/?fields=*",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=body",
        "/api/v3/pages/{review}/?",
        "/api/v2/pages/{series}/?fields=description",
        "/api/v3/pages/{series}/?",
        "/api/v3/series/{series}/?",
    ],
)
def test_database_formats_name_no_page_the_reader_may_not_see(
    client, linking_review, linking_series, targets, url, rich_text_format
):
    """Wagtail's database HTML (the APIs' default) and database Markdown
    name a linked page by its id: a reader learned the ids of drafts,
    unpublished and restricted pages. Such a link keeps its words and loses
    its page, as in the HTML formats."""
    address = url.format(review=linking_review.pk, series=linking_series.pk)
    if rich_text_format:
        address += f"&rich_text_format={rich_text_format}"
    response = client.get(address)
    assert response.status_code == 200, response.content[:300]
    _assert_only_open_page_named(response.content, targets)


def test_an_editor_of_the_target_keeps_the_database_link(
    client, linking_review, targets, editor
):
    response = client.get(
        f"/api/v3/pages/{linking_review.pk}/?rich_text_format=db_html",
        headers=bearer(editor),
    )
    assert f'id=\\"{targets["draft"].pk}\\"' in response.content.decode()


def _section_with_a_page_below(slug: str) -> ReviewPage:
    """A live review below a review index that is then unpublished: served
    at its address, named by no listing."""
    from reviews.indexing import add_and_publish
    from reviews.models import ReviewIndexPage
    from tests.factories import review_index, site_root

    review_index()  # the club's own, first: reviews go there by default
    section = ReviewIndexPage(title="Quiet shelf", slug="quiet-shelf")
    add_and_publish(site_root(), section)
    target = make_review(title="Deep below", slug=slug, parent=section)
    return target


@pytest.mark.parametrize(
    "url",
    [
        "{url}",
        "/api/v2/pages/{pk}/?fields=body",
        "/api/v2/pages/{pk}/?rich_text_format=html",
        "/api/v2/pages/{pk}/?rich_text_format=markdown",
        "/api/v2/pages/{pk}/?rich_text_format=db_markdown",
        "/api/v3/pages/{pk}/?",
        "/api/v3/reviews/{pk}/",
    ],
)
def test_a_link_names_no_page_below_an_unpublished_section(client, url):
    """A link is a listing: the page below the unpublished section is still
    served at its address, but a link gave that address (with the
    section's slug) or its id to every reader."""
    target = _section_with_a_page_below("deep-below-secret")
    linking = make_review(
        title="Pointing down",
        slug="pointing-down",
        body=[{"type": "paragraph", "value": f"<p>{_link(target, 'DEEPLINK')}</p>"}],
    )
    address = url.format(url=linking.url, pk=linking.pk)
    before = client.get(address).content.decode()
    assert "deep-below-secret" in before or f"{target.pk}" in before, "the control"

    Page.objects.get(slug="quiet-shelf").specific.unpublish()

    after = client.get(address)
    text = after.content.decode()
    assert after.status_code == 200
    assert "deep-below-secret" not in text and "quiet-shelf" not in text
    assert f'id=\\"{target.pk}\\"' not in text and f"page?id={target.pk})" not in text
    assert "DEEPLINK" in text


#: Markup that Wagtail's writers never store, but a shell, SQL or an import
#: may: a link's id that names no page, and spellings of a link to a draft.
MALFORMED_IDS = ("abc", "", "1.5", "-1", "99999999999999999999")
ODD_SPELLINGS = (
    "<a linktype='page' id='{pk}'>SQ</a>",
    '<a LINKTYPE="page" ID="{pk}">UC</a>',
    '<a linktype="Page" id="{pk}">MC</a>',
    "<a linktype=page id={pk}>UNQ</a>",
    '<a\nlinktype="page"\nid="{pk}">NL</a>',
    '<A linktype="page" id="{pk}">UPPERA</A>',
    '<a data-x=">" linktype="page" id="{pk}">GT</a>',
    # What HTML's own parser reads as something else, but Wagtail's pattern
    # (and a client's) may read as a link; some of it a member can store
    # through API v3, whose input cleaning keeps it.
    '<?php <a linktype="page" id="{pk}">PI</a>',
    '<![CDATA[<a linktype="page" id="{pk}">CD</a>]]>',
    '<!DOCTYPE <a linktype="page" id="{pk}">DT</a>',
    '<!-- <a linktype="page" id="{pk}">CM</a> -->',
    '<span title=\'<a linktype="page" id="{pk}">\'>ATTR</span>',
    '<script><a linktype="page" id="{pk}">SC</a></script>',
    # Repeated attributes: every reader keeps one or the other.
    '<a linktype="page" id="{open}" id="{pk}">TWOIDS</a>',
    '<a linktype="page" id="{pk}" id="{open}">TWOIDSB</a>',
    '<a linktype="document" linktype="page" id="{pk}">TWOTYPES</a>',
    '<a linktype="page" linktype="document" id="{open}">PAGEDOC</a>',
    # Wagtail's attribute pattern finds name="value" anywhere in a tag:
    # after a prefix, glued to the tag's name, inside another value.
    '<a x:linktype="page" x:id="{pk}">XNS</a>',
    '<a<linktype="page"id="{pk}">GLUED</a>',
    '<a linktype="page" id="{open}" x:id="{pk}">XID</a>',
    '<a title=\'linktype="page" id="{pk}"\'>INQ</a>',
    '<a title=id="{pk}" linktype="page">TID</a>',
    '<a linktype="page" id="&#{pk_code};">ENT</a>',
    # The Markdown formats' own spelling of a page link, as an address.
    '<a href="wagtail://page?id={pk}">WSCHEME</a>',
    '<a href=" WAGTAIL:/&#x2f;page?id={pk}">WSCHEMEB</a>',
)
#: An escaped quote in an address: written back single-quoted, Wagtail's
#: pattern read the attributes inside the value as the link's. (The
#: Markdown formats send the address as the member wrote it: text.)
QUOTED_ADDRESS = (
    '<a href="x&quot; linktype=&quot;{linktype}&quot; id=&quot;{pk}&quot; '
    'y=&quot;">QHREF</a>'
)
FORMATS = ("", "db_html", "db_markdown", "html", "markdown")
#: "" stands for the default format, and, in the spellings test, the HTML page.


@pytest.mark.parametrize("rich_text_format", FORMATS)
def test_a_link_with_an_id_no_page_can_have_is_plain_text(client, rich_text_format):
    """Such an id failed the lookup: one review made the HTML page a 500,
    and, in the database formats, every API listing of reviews a 400."""
    paragraph = '<a linktype="page">NOID</a> ' + "".join(
        f'<a linktype="page" id="{value}">BAD{n}</a> '
        for n, value in enumerate(MALFORMED_IDS)
    )
    linking = make_review(
        title="Odd ids",
        slug="odd-ids",
        body=[{"type": "paragraph", "value": paragraph}],
    )
    query = f"rich_text_format={rich_text_format}" if rich_text_format else ""
    for url in (
        linking.url,
        f"/api/v2/pages/{linking.pk}/?fields=body&{query}",
        f"/api/v2/pages/?type=reviews.ReviewPage&fields=body&{query}",
        f"/api/v3/pages/{linking.pk}/?{query}",
        f"/api/v3/reviews/{linking.pk}/",
        "/api/v3/reviews/",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert "BAD4" in response.content.decode(), url


@pytest.mark.parametrize("rich_text_format", FORMATS)
def test_any_spelling_of_a_link_to_a_draft_names_no_page(
    client, targets, rich_text_format
):
    draft = targets["draft"]
    paragraph = " ".join(
        spelling.format(
            pk=draft.pk, open=targets["open"].pk, pk_code=ord(str(draft.pk)[0])
        )
        for spelling in ODD_SPELLINGS
    )
    linking = make_review(
        title="Odd links",
        slug="odd-links",
        body=[{"type": "paragraph", "value": paragraph}],
    )
    query = f"rich_text_format={rich_text_format}" if rich_text_format else ""
    # The HTML page too: Wagtail's expansion passed any other spelling of a
    # link through as it was, page id and all.
    address = (
        linking.url
        if rich_text_format == ""
        else (f"/api/v2/pages/{linking.pk}/?fields=body&{query}")
    )
    response = client.get(address)
    assert response.status_code == 200
    text = response.content.decode()
    assert DRAFT_SLUG not in text
    for spelling in (
        f"id={draft.pk}",
        f"page?id={draft.pk}",
        f"id='{draft.pk}'",
        f'id=\\"{draft.pk}\\"',
        f'ID=\\"{draft.pk}\\"',
    ):
        assert spelling not in text, spelling
    assert "UPPERA" in text and "GT" in text
    assert "WSCHEME" in text and "WSCHEMEB" in text


def _wagtail_reads(html: str) -> list[dict]:
    """The links and embeds, with their attributes, as Wagtail's rewriter
    reads them (its patterns, not a parser)."""
    from wagtail.rich_text.rewriters import FIND_A_TAG, FIND_EMBED_TAG, extract_attrs

    return [
        {"tag": tag, **extract_attrs(match.group(1))}
        for tag, pattern in (("a", FIND_A_TAG), ("embed", FIND_EMBED_TAG))
        for match in pattern.finditer(html)
    ]


def _parser_reads(html: str) -> list[dict]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return [
        {"tag": tag.name, **tag.attrs}
        for name in ("a", "embed")
        for tag in soup.find_all(name)
    ]


@pytest.mark.parametrize(
    "spelling",
    [
        *ODD_SPELLINGS,
        QUOTED_ADDRESS.replace("{linktype}", "page"),
        QUOTED_ADDRESS.replace("{linktype}", "document"),
    ],
)
def test_what_is_sent_reads_the_same_to_wagtail_and_to_a_parser(targets, spelling):
    """What :func:`visible_db_html` decides is what every reader of its
    output reads: Wagtail's patterns (its HTML expansion runs on it) and an
    HTML parser find the same links and embeds with the same attributes,
    and none of them names the draft."""
    from reviews.rich_text import visible_db_html

    draft = targets["draft"]
    value = spelling.format(
        pk=draft.pk, open=targets["open"].pk, pk_code=ord(str(draft.pk)[0])
    )
    sent = visible_db_html(f"<p>{value}</p>", None)
    assert _wagtail_reads(sent) == _parser_reads(sent), sent
    for found in _wagtail_reads(sent):
        assert found.get("id") != str(draft.pk), sent
        assert f"id={draft.pk}" not in found.get("href", "").replace("%3D", "="), sent


def test_an_address_that_holds_quotes_is_no_link_to_a_private_document(client):
    """The rebuild wrote such an address single-quoted, and Wagtail's
    expansion read it as a link to the document it named: another member's
    private file's address, on the page and in the API's ``html`` format."""
    owner = UserFactory(username="dora")
    document = get_document_model().objects.create(
        title="plan",
        file=ContentFile(b"x", name="doras-plan.pdf"),
        uploaded_by_user=owner,
    )
    value = QUOTED_ADDRESS.format(linktype="document", pk=document.pk)
    review = make_review(
        title="Quotes",
        slug="quotes",
        body=[{"type": "paragraph", "value": f"<p>{value}</p>"}],
    )
    for url in (
        review.url,
        f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format=html",
        f"/api/v3/pages/{review.pk}/?rich_text_format=html",
        f"/api/v2/pages/{review.pk}/?fields=body",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "doras-plan" not in text and f"/documents/{document.pk}/" not in text
        assert "QHREF" in text, url


def test_removing_what_is_not_content_costs_in_proportion_to_the_value():
    """Each node removed from bs4's tree scans its siblings for its place:
    a member's value of 30,000 processing instructions (which the input
    cleaning keeps) took 20 s a request, on every page and listing of it.
    Counted in lines run, not timed: four times the value, about four times
    the work."""
    import sys

    from reviews.rich_text import visible_db_html

    def lines_run(count: int) -> int:
        value = "<p>" + "a<?x><!--c--><embed/>" * count + "</p>"
        lines = 0

        def trace(frame, event, arg):
            nonlocal lines
            lines += 1
            return trace

        sys.settrace(trace)
        try:
            sent = visible_db_html(value, None)
        finally:
            sys.settrace(None)
        assert sent == "<p>" + "a" * count + "</p>"
        return lines

    small, large = lines_run(300), lines_run(1200)
    assert large < 5 * small, (small, large)


@pytest.mark.parametrize(
    "markup",
    [
        '<p><a href="https://e.org/">NESTED<a href="https://f.org/">y</a></a></p>',
        "<p>LONE <i></p>",
    ],
)
def test_markup_the_markdown_exporter_fails_on_is_sent_as_text(client, markup):
    """A link inside a link, which API v3's input cleaning keeps, failed
    the Markdown formats in the exporter (a 500 for the review and for every
    listing of reviews in them)."""
    review = make_review(
        title="Nested", slug="nested", body=[{"type": "paragraph", "value": markup}]
    )
    for name in ("db_markdown", "markdown"):
        for url in (
            f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format={name}",
            f"/api/v2/pages/?type=reviews.ReviewPage&fields=body&rich_text_format={name}",
            f"/api/v3/pages/{review.pk}/?rich_text_format={name}",
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:300])
            assert "NESTED" in response.content.decode() or "LONE" in (
                response.content.decode()
            ), url


def test_a_value_as_wagtail_stores_it_comes_back_as_stored_but_hidden_links(
    targets,
):
    """A value that may hold a link is rebuilt from what was parsed; one
    written as Wagtail writes rich text comes back byte for byte, but for
    the start tags of the links the reader may not be told of."""
    from reviews.rich_text import visible_db_html

    draft, shown = targets["draft"], targets["open"]
    stored = (
        '<p data-block-key="a1b2c">One &amp; two &lt;three&gt; “quoted”'
        f' \xa0<br/><a linktype="page" id="{shown.pk}">open</a> '
        '<a href="https://example.org/?a=1&amp;b=2">out</a> '
        # Draftail writes a quote in an address escaped; Markdown input
        # writes a page link's id first.
        '<a href="https://example.org/it&#x27;s?q=&quot;x&quot;">quoted</a> '
        f'<a id="{shown.pk}" linktype="page">from markdown</a></p>'
        '<ul><li data-block-key="x9y8z"><b>bold</b> <i>it</i> '
        f'<a linktype="page" id="{draft.pk}">draft</a></li></ul>'
    )
    hidden = f'<a linktype="page" id="{draft.pk}">draft</a>'
    assert visible_db_html(stored, None) == stored.replace(hidden, "<a>draft</a>")


@pytest.mark.parametrize(
    "markup",
    [
        '<p><!<a href="https://example.org/">BROKEN</a></p>',
        '<p>BROKEN <!--x <a href="https://example.org/">y</a></p>',
        '<p>BROKEN</<a href="https://example.org/">y</a></p>',
    ],
)
@pytest.mark.parametrize("rich_text_format", ["markdown", "db_markdown"])
def test_markup_the_markdown_conversion_cannot_read_is_sent_as_text(
    client, markup, rich_text_format
):
    """Wagtail's conversion failed on it (a 500 for the review and for every
    listing of reviews in that format). Only a shell or SQL can store it."""
    linking = make_review(
        title="Broken", slug="broken", body=[{"type": "paragraph", "value": markup}]
    )
    for url in (
        f"/api/v2/pages/{linking.pk}/?fields=body&rich_text_format={rich_text_format}",
        f"/api/v2/pages/?type=reviews.ReviewPage&fields=body&rich_text_format={rich_text_format}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "BROKEN" in response.content.decode()


def test_media_hidden_where_the_input_cleaning_does_not_look_are_not_sent(client):
    """A document link or an image embed gets past the input cleaning inside
    ``<?x …>`` (API v3 kept it), and Wagtail expanded it: another member's
    private file's address, a rendition of her private image. What is inside
    a processing instruction is not sent; an embed without a format (a 500
    for every listing of it) is not either."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    owner = UserFactory(username="carl")
    document = get_document_model().objects.create(
        title="plan",
        file=ContentFile(b"x", name="carls-plan.pdf"),
        uploaded_by_user=owner,
    )
    image = get_image_model().objects.create(
        title="pic",
        file=get_test_image_file(filename="carls-pic.png"),
        uploaded_by_user=owner,
    )
    body = (
        f'<p>x <?x <a linktype="document" id="{document.pk}">DOCWORDS</a></p>'
        f'<p>y <?x <embed embedtype="image" id="{image.pk}" format="left" alt="a"/></p>'
        f'<p>z <embed embedtype="image" id="{image.pk}"/> '
        f'<EMBED embedtype="image" id="{image.pk}">AFTER</p>'
        f'<p><embed embedtype="image" id="{image.pk}" format="nosuch"/>'
        '<embed embedtype="image" id="99999999999999999999" format="left"/>'
        '<embed embedtype="elsewhere" id="1"/></p>'
    )
    review = make_review(
        title="Media", slug="media", body=[{"type": "paragraph", "value": body}]
    )
    for url in (
        review.url,
        *(
            f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format={name}"
            for name in ("db_html", "html", "db_markdown", "markdown")
        ),
        "/api/v2/pages/?type=reviews.ReviewPage&fields=body&rich_text_format=html",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "carls-plan" not in text and "carls-pic" not in text, url
        assert "embedtype" not in text and 'linktype=\\"document' not in text, url
        assert "DOCWORDS" in text and "AFTER" in text, url


def test_media_a_site_puts_in_rich_text_are_sent_as_its_image_blocks_are(client):
    """A site whose rich text allows images and documents (Wagtail's
    ``image`` and ``document-link`` features) keeps them: a reader who may
    see the text sees its media, as with an image block. Who may put an
    image or a document there is the writes' rule (a member only what she
    may see: tests/spoilers/test_media_rule.py)."""
    from reviews.rich_text import visible_db_html

    image = make_image("Harbour")
    document = get_document_model().objects.create(
        title="Minutes", file=ContentFile(b"x", name="minutes.pdf")
    )
    stored = (
        f'<p data-block-key="k1">See <a linktype="document" id="{document.pk}">'
        "the minutes</a>.</p>"
        f'<embed alt="The harbour" embedtype="image" format="left" id="{image.pk}"/>'
        '<embed embedtype="media" url="https://www.example.org/watch?v=1"/>'
    )
    assert visible_db_html(stored, None) == stored
    review = make_review(
        title="Harbour", slug="harbour", body=[{"type": "paragraph", "value": stored}]
    )
    rendition = image.get_rendition("width-500").url
    for url in (
        review.url,
        f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format=html",
        f"/api/v3/pages/{review.pk}/?rich_text_format=html",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert rendition.replace("/", "\\/") in text or rendition in text, url
        assert document.url.replace("/", "\\/") in text or document.url in text, url
    response = client.get(
        f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format=db_html"
    )
    assert f'id=\\"{image.pk}\\"' in response.content.decode()
    # The Markdown formats write what the field's features hold (the club's
    # hold no image): the words stay.
    for name in ("db_markdown", "markdown"):
        response = client.get(
            f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format={name}"
        )
        assert response.status_code == 200, name
        assert "the minutes" in response.content.decode(), name


def test_markup_the_parser_gives_up_on_is_sent_as_its_words(client):
    """Python's HTML parser raises on ``<![foo[`` (a member can store it
    inside ``<![if …]>``, which Wagtail's input cleaning writes back as a
    processing instruction): every format, the page and the export were 500s."""
    review = make_review(
        title="Gave up",
        slug="gave-up",
        body=[{"type": "paragraph", "value": "<p>WORDS <?if x><![foo[ ?></p>"}],
    )
    for name in ("", "db_html", "html", "db_markdown", "markdown"):
        response = client.get(
            f"/api/v2/pages/{review.pk}/?fields=body&rich_text_format={name}"
            if name
            else review.url
        )
        assert response.status_code == 200, name
        assert "WORDS" in response.content.decode(), name


def test_the_editor_names_no_page_the_member_may_not_be_told_of(client, targets):
    """An editor linked a member's review to a draft. The admin's edit form
    sent the member the draft's id in the editor's contentstate; it sends a
    token in its place, and saving the text as the editor has it keeps the
    link to the draft."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    from reviews.rich_text import hidden_page_id
    from reviews.roles import MEMBERS, ensure_groups
    from reviews.visibility import reading_as
    from tests.factories import review_index, user_in

    draft, shown = targets["draft"], targets["open"]
    member = user_in(ensure_groups(review_index())[MEMBERS], "mia")
    stored = (
        f'<p data-block-key="k1">see <a linktype="page" id="{draft.pk}">DRAFT</a> '
        f'and <a linktype="page" id="{shown.pk}">OPEN</a></p>'
    )
    mine = make_review(
        title="Mine", slug="mine", owner=member, reviewer=member, live=False
    )
    mine.body = [{"type": "paragraph", "value": stored}]
    mine.save_revision()

    client.force_login(member)
    response = client.get(f"/admin/pages/{mine.pk}/edit/")
    assert response.status_code == 200
    (contentstate,) = paragraph_contentstates(response.content.decode())
    data = link_data(contentstate)
    assert hidden_page_id(data[0]["id"]) == draft.pk and data[1]["id"] == shown.pk
    assert data[0]["url"] is None and data[0]["parentId"] is None

    # What the editor posts back, unchanged, is saved with the draft's link.
    converter = ContentstateConverter(
        ReviewPage._meta.get_field("body")
        .stream_block.child_blocks["paragraph"]
        .features
    )
    with reading_as(member):
        assert converter.to_database_format(contentstate) == stored
    # An editor of the draft gets its id, as before.
    with reading_as(draft.owner or UserFactory(is_superuser=True)):
        assert link_data(converter.from_database_format(stored))[0]["id"] == draft.pk


def test_the_editor_finds_a_texts_linked_pages_together(targets):
    """The admin's editor converted a text one link at a time, four queries
    a link (a review of 20,000 links would not open). Its linked pages are
    found together, and each link to a hidden page still gets a token of
    its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.rich_text import hidden_page_id
    from reviews.rich_text_editor import CheckedDraftailRichTextArea

    widget = CheckedDraftailRichTextArea(features=["link"])
    others = [targets[name] for name in ("open", "unpublished", "restricted")]

    def text(pages) -> str:
        return "<p>{}</p>".format(
            " ".join(f'<a linktype="page" id="{page.pk}">W</a>' for page in pages)
        )

    def convert(pages) -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as queries:
            contentstate = widget.format_value(text(pages))
        return len(queries.captured_queries), link_data(contentstate)

    kinds = [targets["draft"], *others]
    convert(kinds)
    few, _ = convert(kinds)
    many, data = convert(kinds * 5)
    assert many == few
    tokens = [link["id"] for link in data if isinstance(link["id"], str)]
    assert len(tokens) == 15 and len(set(tokens)) == 15
    assert {hidden_page_id(token) for token in tokens} == {
        targets[name].pk for name in ("draft", "unpublished", "restricted")
    }
    assert [link["url"] for link in data if link["id"] == targets["open"].pk] == [
        targets["open"].url
    ] * 5


def _lowest_page_id() -> str:
    """The lowest id the database's page column holds (64 bits on SQLite,
    32 on PostgreSQL's ``serial``)."""
    from django.db import connection

    lowest, _ = connection.ops.integer_field_range(Page._meta.pk.get_internal_type())
    return str(lowest)


@pytest.mark.parametrize("stored_id", ["-5", "0", "lowest"])
def test_a_link_to_an_id_no_page_has_opens_and_saves_as_stored(stored_id):
    """An id below any page's, which API writes store as given, failed the
    token (an unsigned number) and with it the admin's edit page of the
    review: a 500 for every editor. It gets a token like any missing page,
    and saving writes the link back as it was."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    if stored_id == "lowest":
        stored_id = _lowest_page_id()

    from reviews.rich_text import HIDDEN_PAGE, hidden_page_id
    from reviews.rich_text_editor import CheckedDraftailRichTextArea

    stored = f'<p data-block-key="k1"><a linktype="page" id="{stored_id}">W</a></p>'
    contentstate = CheckedDraftailRichTextArea(features=["link"]).format_value(stored)
    (data,) = link_data(contentstate)
    assert data["id"].startswith(HIDDEN_PAGE) and data["url"] is None
    assert hidden_page_id(data["id"]) == int(stored_id)
    saved = ContentstateConverter(["link"]).to_database_format(contentstate)
    assert saved == stored


def test_outside_a_request_links_cost_the_same_however_many(targets):
    """An email or a command writes rich text outside any request, where
    nothing keeps the content version between reads: deciding each link
    read it twice, two queries a link. It is read once for the whole text."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.rich_text import expand_db_html

    from reviews.rich_text import visible_db_html

    def text(pages) -> str:
        return "<p>{}</p>".format(
            " ".join(f'<a linktype="page" id="{page.pk}">W</a>' for page in pages)
        )

    kinds = list(targets.values())
    for write in (visible_db_html, expand_db_html):
        write(text(kinds))
        counts = []
        for pages in (kinds, kinds * 5):
            with CaptureQueriesContext(connection) as queries:
                written = write(text(pages))
            counts.append(len(queries.captured_queries))
            _assert_no_hidden_slug(written.encode())
        assert counts[0] == counts[1], write


def test_a_token_that_names_no_page_saves_the_link_words_only():
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    from reviews.rich_text import HIDDEN_PAGE

    contentstate = {
        "blocks": [
            {
                "key": "k1",
                "type": "unstyled",
                "depth": 0,
                "text": "FORGED",
                "inlineStyleRanges": [],
                "entityRanges": [{"key": 0, "offset": 0, "length": 6}],
            }
        ],
        "entityMap": {
            "0": {
                "type": "LINK",
                "mutability": "MUTABLE",
                "data": {"id": f"{HIDDEN_PAGE}{'0' * 64}", "url": None},
            }
        },
    }
    converter = ContentstateConverter(["link"])
    saved = converter.to_database_format(json.dumps(contentstate))
    assert "FORGED" in saved and "linktype" not in saved and "hidden" not in saved


def test_a_token_is_sealed_fresh_each_time_and_costs_no_query(targets):
    """A keyed hash of the id, the first version, was one token for every
    link to a page: a member who linked ids herself and read their tokens
    back learnt which id an editor's link hid, and looking a token up
    hashed every page id (a form of made-up tokens took minutes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.rich_text import HIDDEN_PAGE, hidden_page_id, hidden_page_token

    draft = targets["draft"]
    first, second = hidden_page_token(draft.pk), hidden_page_token(draft.pk)
    assert first != second and first.startswith(HIDDEN_PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert hidden_page_id(first) == hidden_page_id(second) == draft.pk
        for n in range(500):
            assert hidden_page_id(f"{HIDDEN_PAGE}{n:064x}") is None
        # A token with any character changed names nothing.
        for index in range(len(HIDDEN_PAGE), len(first)):
            changed = "A" if first[index] != "A" else "B"
            assert hidden_page_id(first[:index] + changed + first[index + 1 :]) in (
                None,
                draft.pk,  # base64's padding bits
            )
    assert len(queries) == 0
    # One token, one spelling: Django's decoding skipped what is not base64
    # and any padding.
    for spelling in (first + "==", first[:20] + "\n!" + first[20:], first + " "):
        assert hidden_page_id(spelling) is None, spelling


def test_a_link_to_a_page_that_is_gone_looks_like_a_hidden_one(client, targets):
    """The editor wrote a link to a missing page with its id and a hidden
    one with a token: a member told them apart. Both carry a token now, and
    both come back as they were stored."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    from reviews.rich_text import HIDDEN_PAGE
    from reviews.roles import MEMBERS, ensure_groups
    from reviews.visibility import reading_as
    from tests.factories import review_index, user_in

    member = user_in(ensure_groups(review_index())[MEMBERS], "nia")
    gone = Page.objects.order_by("-pk").first().pk + 1000
    stored = (
        f'<p data-block-key="k1"><a linktype="page" id="{gone}">GONE</a> '
        f'<a linktype="page" id="{targets["draft"].pk}">DRAFT</a></p>'
    )
    converter = ContentstateConverter(["link"])
    with reading_as(member):
        contentstate = converter.from_database_format(stored)
        ids = [link["id"] for link in link_data(contentstate)]
        assert all(str(key).startswith(HIDDEN_PAGE) for key in ids), ids
        assert converter.to_database_format(contentstate) == stored


def test_wagtails_patterns_are_read_as_finditer_reads_them():
    """The filter reads where Wagtail's patterns match in a stored value in
    one pass (``finditer`` took minutes over many ``<embed`` without a
    ``>``); on any value it must find what ``finditer`` finds."""
    import random

    from wagtail.rich_text.rewriters import FIND_A_TAG, FIND_EMBED_TAG

    from reviews.rich_text import wagtail_tag_matches

    pieces = ["<a", "<embed", "<abbr", "<embedx", ">", "/>", "/", " ", "x", '"', "\n"]
    generator = random.Random(7)
    for _ in range(20_000):
        value = "".join(
            generator.choice(pieces) for _ in range(generator.randint(0, 14))
        )
        expected = sorted(
            (match.start(), match.group(1))
            for pattern in (FIND_A_TAG, FIND_EMBED_TAG)
            for match in pattern.finditer(value)
        )
        assert sorted(wagtail_tag_matches(value)) == expected, value


def test_a_medium_whose_attributes_run_long_is_not_read():
    """Wagtail's attribute pattern takes time growing with the square of a
    long run of attributes (2.5 s for 20,000 characters); an embed's or a
    document link's are short, so a longer run is not read, and its medium
    not sent."""
    from reviews.rich_text import visible_db_html

    image = make_image("Long")
    padding = "a-" * 5000
    value = f'<p><embed {padding} embedtype="image" id="{image.pk}" format="left"/></p>'
    assert "embed" not in visible_db_html(value, None)
    short = f'<p><embed embedtype="image" id="{image.pk}" format="left"/></p>'
    assert visible_db_html(short, None) == short
