"""A member downloads their reading: Goodreads CSV and JSON, from "My reading"
and from API v3; importing the export gives back the same data."""

import json
from datetime import date
from pathlib import Path

import pytest
from wagtail.models import APIToken, Revision

from reviews.goodreads import parse_export
from reviews.goodreads.export import export_csv, export_json
from reviews.goodreads.sample import make_export_csv
from reviews.models import ReadingProgress, ReviewPage
from tests.factories import BookFactory, ReadingProgressFactory, make_review, spoiler
from tests.factories import paragraph as para

from .helpers import book_row, run_import, stream_without_ids

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def bearer(user) -> dict[str, str]:
    _token, plaintext = APIToken.create_token(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def csv_text(member) -> str:
    import io

    out = io.StringIO()
    export_csv(member, out)
    return out.getvalue()


def library(member) -> dict:
    """What a member has, by book, in a form two members can be compared by."""
    progress = {
        p.book_id: (p.finished, p.finished_at, p.started_at, p.chapter)
        for p in ReadingProgress.objects.filter(member=member)
    }
    reviews = {
        page.book_id: (
            page.rating,
            stream_without_ids(page.get_latest_revision_as_object().body),
        )
        for page in ReviewPage.objects.filter(reviewer=member)
    }
    entries = {entry["book"]["id"]: entry for entry in export_json(member)["books"]}
    return {
        book_id: {
            "shelf": entry["shelf"],
            "rating": entry["rating"],
            "date_read": entry["date_read"],
            "date_added": entry["date_added"],
            "series": entry["book"]["series"],
            "progress": progress.get(book_id),
            "review": reviews.get(book_id),
        }
        for book_id, entry in entries.items()
    }


def test_round_trip_export_then_import_gives_back_the_same_data(reader, other_reader):
    original = (FIXTURES / "export_31_columns.csv").read_bytes()
    run_import(original.decode("utf-8"), reader)

    exported = csv_text(reader)
    report = run_import(exported, other_reader)

    assert report.ok and not report.errors
    assert report.books_created == 0 and report.books_matched == 11
    assert library(other_reader) == library(reader)
    # The export reads back as the same Goodreads rows as the original, except
    # for what the club does not keep (the -700 year, half stars never occur).
    original_rows = {row.goodreads_id: row for row in parse_export(original).rows}
    for row in parse_export(exported).rows:
        source = original_rows[row.goodreads_id]
        assert (row.title, row.author, row.isbn13, row.shelf, row.rating) == (
            source.title,
            source.author,
            source.isbn13,
            source.shelf,
            source.rating,
        )
        assert (row.series_name, row.series_position) == (
            source.series_name,
            source.series_position,
        )
        assert (row.date_read, row.date_added) == (source.date_read, source.date_added)


def test_round_trip_of_a_generated_export(reader, other_reader):
    run_import(make_export_csv(150, seed=3), reader)

    run_import(csv_text(reader), other_reader)

    assert library(other_reader) == library(reader)


def test_importing_ones_own_export_changes_nothing(reader):
    run_import((FIXTURES / "export_31_columns.csv").read_text("utf-8"), reader)
    before = library(reader)

    revisions = Revision.objects.count()

    report = run_import(csv_text(reader), reader)

    assert report.ok and not report.errors
    assert report.rows_imported == 11
    assert (report.books_created, report.reviews_created, report.reviews_updated) == (
        0,
        0,
        0,
    )
    assert library(reader) == before
    assert Revision.objects.count() == revisions


def test_spoilers_are_written_back_as_spoiler_tags(reader):
    run_import(
        [book_row("Locke Lamora", My_Rating=5,
                  My_Review="Great. <spoiler>Calo dies.</spoiler> Then revenge.")],
        reader,
    )  # fmt: skip

    row = parse_export(csv_text(reader)).rows[0]
    assert row.review_html == (
        "Great.<br/><br/><spoiler>Calo dies.</spoiler><br/><br/>Then revenge."
    )
    assert row.rating == 5 and not row.review_is_spoiler
    review = export_json(reader)["books"][0]["reviews"][0]
    assert review["goodreads_html"] == row.review_html
    assert review["published"] is False
    assert [block["type"] for block in review["body"]] == [
        "paragraph",
        "spoiler",
        "paragraph",
    ]


def test_the_export_holds_the_members_own_club_data_too(member):
    siege = BookFactory(title="The Siege", author="Helen Dunmore", isbn13=None)
    betrayal = BookFactory(title="The Betrayal", author="Helen Dunmore")
    odyssey = BookFactory(title="The Odyssey", author="Homer")
    make_review(
        book=betrayal,
        owner=member,
        reviewer=member,
        rating=3.5,
        body=[para("Quieter."), spoiler(siege, None, "Book one", "Anna lives.")],
    )
    ReadingProgressFactory(
        member=member, book=siege, finished=True, finished_at=date(2024, 5, 1)
    )
    ReadingProgressFactory(member=member, book=odyssey, chapter=4)
    make_review(book=odyssey, body=[para("Someone else's review.")])

    rows = {row.title: row for row in parse_export(csv_text(member)).rows}

    assert set(rows) == {"The Siege", "The Betrayal", "The Odyssey"}
    assert rows["The Siege"].shelf == "read"
    assert rows["The Siege"].date_read == date(2024, 5, 1)
    assert rows["The Odyssey"].shelf == "currently-reading"
    betrayal_row = rows["The Betrayal"]
    assert betrayal_row.shelf == "read"  # reviewed, no progress recorded
    assert betrayal_row.rating == 4  # Goodreads has whole stars: 3.5 rounds up
    assert betrayal_row.review_html == (
        'Quieter.<br/><br/><spoiler label="Book one" book="The Siege" '
        'author="Helen Dunmore">Anna lives.</spoiler>'
    )
    assert "Someone else" not in csv_text(member)
    entry = next(
        e for e in export_json(member)["books"] if e["book"]["title"] == "The Betrayal"
    )
    assert entry["rating"] == 3.5


def test_my_reading_links_to_both_downloads(client, member):
    client.force_login(member)

    page = client.get("/reading/").content.decode()

    assert 'href="/reading/export.csv"' in page
    assert 'href="/reading/export.json"' in page


def test_the_downloads_are_the_members_own_and_need_a_login(
    client, reader, other_reader
):
    run_import([book_row("Among Others", My_Review="Mine.")], reader)
    run_import([book_row("Farthing", My_Review="Theirs.")], other_reader)

    assert client.get("/reading/export.csv").status_code == 302
    assert client.get("/reading/export.json").status_code == 302

    client.force_login(reader)
    response = client.get("/reading/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "Among Others" in text and "Farthing" not in text

    data = client.get("/reading/export.json").json()
    assert data["format"] == "bookclub-reading-export"
    assert data["member"] == {"display_name": "Rita Reader"}
    assert [entry["book"]["title"] for entry in data["books"]] == ["Among Others"]


def test_api_export_for_a_token_member(client, reader, other_reader):
    run_import([book_row("Among Others", My_Review="Mine <spoiler>x</spoiler>")],
               reader)  # fmt: skip
    run_import([book_row("Farthing", My_Review="Theirs.")], other_reader)

    response = client.get("/api/v3/reading/export.json", **bearer(reader))
    assert response.status_code == 200
    books = response.json()["books"]
    assert [entry["book"]["title"] for entry in books] == ["Among Others"]
    assert books[0]["reviews"][0]["goodreads_html"] == (
        "Mine<br/><br/><spoiler>x</spoiler>"
    )

    response = client.get("/api/v3/reading/export.csv", **bearer(reader))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [row.title for row in parse_export(response.content).rows] == [
        "Among Others"
    ]


@pytest.mark.parametrize("path", ["export.json", "export.csv"])
def test_api_export_without_a_token_is_401(client, reader, path):
    client.force_login(reader)  # a session does not count in API v3

    response = client.get(f"/api/v3/reading/{path}")

    assert response.status_code == 401
    assert "Among" not in response.content.decode()


@pytest.mark.parametrize("path", ["export.json", "export.csv"])
def test_api_export_is_never_served_from_a_shared_cache(client, reader, path):
    run_import([book_row("Among Others", My_Review="Mine.")], reader)
    assert client.get(f"/api/v3/reading/{path}").status_code == 401

    response = client.get(f"/api/v3/reading/{path}", **bearer(reader))

    assert response.status_code == 200
    assert "Among Others" in response.content.decode()
    assert "public" not in response.get("Cache-Control", "")


def test_api_export_is_in_the_openapi_document(client):
    paths = client.get("/api/v3/openapi.json").json()["paths"]

    assert set(paths["/api/v3/reading/export.json"]) == {"get"}
    assert set(paths["/api/v3/reading/export.csv"]) == {"get"}


def test_json_export_is_valid_json_with_every_review(reader):
    run_import([book_row("Among Others", My_Review="One.")], reader)
    page = ReviewPage.objects.get()
    second = make_review(book=page.book, owner=reader, reviewer=reader, live=False)

    entry = json.loads(json.dumps(export_json(reader)))["books"][0]

    assert [review["id"] for review in entry["reviews"]] == [page.pk, second.pk]


def test_the_export_names_only_the_series_the_member_may_see(member):
    """A series page behind a view restriction is nobody's but its owner's
    and its editors' (reviews.visibility.can_view_page): a member's export
    named it as their book's series, title and id."""
    from wagtail.models import PageViewRestriction

    from tests.factories import make_series

    siege = BookFactory(title="The Siege")
    ReadingProgressFactory(member=member, book=siege, chapter=4)
    series = make_series("The Hidden Cycle", [(siege, 1)])
    assert "The Hidden Cycle" in csv_text(member)

    PageViewRestriction.objects.create(
        page=series, restriction_type=PageViewRestriction.LOGIN
    )

    assert "The Hidden Cycle" not in csv_text(member)
    assert "The Hidden Cycle" not in json.dumps(export_json(member))


def test_the_export_names_no_linked_page_the_member_may_not_be_told_of(client, member):
    """An editor linked the member's review to a draft and to a public
    review. The JSON export sent the body as stored: the draft's id too.
    The link to the draft keeps its words and loses its page, as in every
    API format; the public one stays."""
    draft = make_review(title="Not yet", slug="not-yet", live=False)
    public = make_review(title="Out there", slug="out-there")
    body = (
        f'<p><a linktype="page" id="{draft.pk}">DRAFTWORDS</a> and '
        f'<a linktype="page" id="{public.pk}">PUBLICWORDS</a></p>'
    )
    make_review(
        title="Mine",
        slug="mine",
        reviewer=member,
        body=[{"type": "paragraph", "value": body}],
    )
    client.force_login(member)
    for exported in (
        json.dumps(export_json(member)),
        client.get("/reading/export.json").content.decode(),
        client.get("/api/v3/reading/export.json", **bearer(member)).content.decode(),
    ):
        assert "DRAFTWORDS" in exported and "PUBLICWORDS" in exported
        assert f'id=\\"{draft.pk}\\"' not in exported
        assert f'id=\\"{public.pk}\\"' in exported


def test_the_export_leaves_text_that_is_not_rich_text_as_written(member):
    """Only rich text is markup: the filter of links ran over every string
    of the body, and rewrote a heading or a quote that held ``<!`` or
    ``<?`` as if it were HTML."""
    heading = "Tom & Jerry <!-- the cut --> part 2"
    quote = "if a<b and c>d <?"
    draft = make_review(title="Not yet", slug="not-yet-2", live=False)
    make_review(
        title="Plain",
        slug="plain",
        reviewer=member,
        body=[
            {"type": "heading", "value": heading},
            {"type": "quote", "value": {"text": quote, "attribution": ""}},
            {
                "type": "paragraph",
                "value": f'<p><a linktype="page" id="{draft.pk}">DRAFTWORDS</a></p>',
            },
        ],
    )
    exported = json.dumps(export_json(member))
    assert json.dumps(heading) in exported and json.dumps(quote) in exported
    assert "DRAFTWORDS" in exported and f'id=\\"{draft.pk}\\"' not in exported
