import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from reviews.goodreads import (
    EXPORT_COLUMNS,
    GoodreadsRow,
    ParseResult,
    parse_export,
    write_export,
)
from reviews.goodreads.parse import EXCERPT_LENGTH
from reviews.goodreads.rows import split_series
from reviews.goodreads.sample import BAD_ROW_KINDS, is_bad_row, make_export_csv

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT_31 = FIXTURES / "export_31_columns.csv"
EXPORT_24 = FIXTURES / "export_24_columns.csv"
EXPORT_BOM = FIXTURES / "export_bom.csv"
EXPORT_BAD = FIXTURES / "export_bad_rows.csv"
ALL_FIXTURES = [EXPORT_31, EXPORT_24, EXPORT_BOM, EXPORT_BAD]

COLUMNS_24 = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN",
    "ISBN13", "My Rating", "Average Rating", "Publisher", "Binding",
    "Number of Pages", "Year Published", "Original Publication Year", "Date Read",
    "Date Added", "Bookshelves", "Bookshelves with positions", "Exclusive Shelf",
    "My Review", "Spoiler", "Private Notes", "Read Count", "Owned Copies",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _clear_cache():
    # tests/conftest.py clears Django's cache around every test. This module uses
    # no Django and must also run with -p no:django, so a no-op replaces it here.
    yield


def parse_file(path: Path) -> ParseResult:
    return parse_export(path.read_bytes())


def by_id(result: ParseResult) -> dict[int, GoodreadsRow]:
    return {row.goodreads_id: row for row in result.rows}


def csv_text(header: list[str], *rows: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue()


def one_row(**values: str) -> ParseResult:
    """Parse a 31-column export with a single row built from ``values``."""
    row = {"Title": "Tehanu", "Author": "Ursula K. Le Guin", "My Rating": "0"}
    row.update(values)
    return parse_export(csv_text(list(EXPORT_COLUMNS), row))


# -- the fixtures themselves ---------------------------------------------------


def test_fixture_headers_are_the_two_real_variants():
    def header(path: Path) -> list[str]:
        return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))

    assert header(EXPORT_31) == list(EXPORT_COLUMNS)
    assert len(EXPORT_COLUMNS) == 31
    assert header(EXPORT_24) == COLUMNS_24
    assert EXPORT_BOM.read_bytes().startswith(b"\xef\xbb\xbfBook Id,")


# -- 31 columns --------------------------------------------------------------------


def test_31_column_export_reads_every_field():
    result = parse_file(EXPORT_31)
    assert result.errors == []
    assert len(result.rows) == 11
    locke = result.rows[0]
    assert locke == GoodreadsRow(
        line=2,
        goodreads_id=127455,
        title="The Lies of Locke Lamora",
        author="Scott Lynch",
        isbn13="9780553588958",
        rating=5,
        year_published=2006,  # Original Publication Year beats Year Published
        date_read=date(2021, 3, 14),
        date_added=date(2020, 11, 2),
        shelf="read",
        review_html=(
            "A <b>heist</b> novel in a city built on alien glass, and the best "
            "banter I have read in years.<br/><br/>The Camorr chapters are "
            '<i>superb</i>, "Gentlemen Bastards" and all. <spoiler>Calo and Galdo '
            "die in the Gray King's trap.</spoiler> After that the book turns into "
            'a revenge story.<br/><br/>More at <a href="https://www.goodreads.com/'
            'series/43493">the series page</a>.'
        ),
        review_is_spoiler=False,
        series_name="Gentleman Bastard",
        series_position=Decimal(1),
        read_count=1,
    )
    assert locke.line == 2


def test_31_column_export_quirks():
    rows = by_id(parse_file(EXPORT_31))

    betrayal = rows[48651234]
    assert (betrayal.title, betrayal.series_name, betrayal.series_position) == (
        "The Betrayal",
        "The Siege",
        Decimal(2),
    )
    assert betrayal.isbn13 == "9780141046204"  # ISBN13 ="" -> ISBN converted
    assert betrayal.year_published == 2021  # no original year: Year Published
    assert betrayal.review_is_spoiler is False  # empty Spoiler column

    gideon = rows[42036538]
    assert (gideon.title, gideon.series_name, gideon.series_position) == (
        "Gideon the Ninth",
        "The Locked Tomb",
        Decimal(1),
    )
    assert gideon.rating is None  # 0 = unrated
    assert gideon.shelf == "currently-reading"
    assert gideon.date_read is None

    penric = rows[25807906]
    assert penric.series_position == Decimal("3.5")
    assert penric.isbn13 is None
    assert "\n\nDesdemona" in penric.review_html
    assert penric.read_count == 2

    assert rows[1381].year_published == -700  # the Odyssey
    hill_house = rows[89717]
    assert hill_house.title == "The Haunting of Hill House (Penguin Classics)"
    assert hill_house.series_name is None
    assert hill_house.shelf == "to-read"

    omens = rows[12067]
    assert omens.title.endswith("Agnes Nutter, Witch")
    assert omens.shelf == "did-not-finish"  # a custom exclusive shelf, as-is

    lotr = rows[33]
    assert lotr.title == "The Lord of the Rings (The Lord of the Rings, #1-3)"
    assert lotr.series_name is None
    assert lotr.review_is_spoiler is True

    anxious = rows[49127718]
    assert anxious.isbn13 == "9781982137496"  # hyphenated ISBN13 column
    assert anxious.author == "Fredrik Backman"  # doubled space collapsed
    assert anxious.date_read == date(2021, 9, 5)  # 2021/9/5

    new_sun = rows[5544]
    assert new_sun.isbn13 == "9780804429573"  # lower-case x check digit
    assert new_sun.year_published is None


def test_line_numbers_account_for_multi_line_reviews():
    result = parse_file(EXPORT_31)
    # Penric's review has one embedded blank line (2 newlines), Anxious People's
    # one CRLF: later records start further down the file.
    assert [row.line for row in result.rows] == [2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 15]
    assert_lines_start_records(EXPORT_31, result)


def assert_lines_start_records(path: Path, result: ParseResult) -> None:
    """Each reported line of ``path`` is where that record's text begins."""
    physical = path.read_text(encoding="utf-8-sig").splitlines()
    for row in result.rows:
        assert physical[row.line - 1].startswith(f"{row.goodreads_id},")


# -- 24 columns ----------------------------------------------------------------


def test_24_column_export_gives_the_same_rows_as_31():
    rows_24 = parse_file(EXPORT_24)
    rows_31 = parse_file(EXPORT_31)
    assert rows_24.errors == []
    assert rows_24.rows == rows_31.rows[:5]
    assert [row.line for row in rows_24.rows] == [2, 3, 4, 5, 8]
    assert_lines_start_records(EXPORT_24, rows_24)


def test_columns_are_found_by_name_not_position():
    text = EXPORT_31.read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    shuffled = io.StringIO()
    writer = csv.writer(shuffled, lineterminator="\n")
    for record in records:
        writer.writerow(list(reversed(record)))
    assert parse_export(shuffled.getvalue()).rows == parse_export(text).rows


def test_only_title_and_author_are_needed():
    result = parse_export("Author,Title\nJo Walton,Among Others\n")
    assert result.errors == []
    (row,) = result.rows
    assert (row.title, row.author) == ("Among Others", "Jo Walton")
    assert row.goodreads_id is None
    assert row.isbn13 is None
    assert row.rating is None
    assert row.shelf == ""
    assert row.review_html == ""
    assert row.review_is_spoiler is False
    assert row.read_count == 0


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("Book Id,ISBN,My Rating", ["Title", "Author"]),
        ("Book Id,Title,ISBN", ["Author"]),
        ("Book Id,Author", ["Title"]),
        ("title,author", ["Title", "Author"]),  # names are case-sensitive
    ],
)
def test_missing_required_columns_raise_naming_them(header, missing):
    with pytest.raises(ValueError) as excinfo:
        parse_export(header + "\n1,2,3\n")
    message = str(excinfo.value)
    for name in missing:
        assert name in message
    for name in {"Title", "Author"} - set(missing):
        assert f" {name}" not in message.split(":", 1)[1]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_an_export_a_spreadsheet_saved_with_another_separator_reads_the_same(
    delimiter,
):
    """A spreadsheet set to a European locale saves the export with ";", some
    with tabs: the columns are all there, and the rows read as the original's."""
    text = EXPORT_31.read_text(encoding="utf-8")
    resaved = io.StringIO()
    writer = csv.writer(resaved, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(csv.reader(io.StringIO(text, newline="")))
    result = parse_export(resaved.getvalue().encode("utf-8"))
    assert result.rows == parse_export(text).rows
    assert result.errors == parse_export(text).errors


def test_a_comma_in_a_title_does_not_make_the_header_look_separated_by_it():
    result = parse_export("Title;Author\nOne, Two, Three;A. Writer\n")
    assert [(row.title, row.author) for row in result.rows] == [
        ("One, Two, Three", "A. Writer")
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff"])
def test_empty_file_raises(text):
    with pytest.raises(ValueError, match="empty"):
        parse_export(text)


def test_header_only_gives_nothing():
    assert parse_export(",".join(EXPORT_COLUMNS) + "\n") == ParseResult([], [])


# -- BOM and input types -------------------------------------------------------


def test_bom_is_ignored_in_every_input_form():
    expected = [42036538, 89717]
    raw = EXPORT_BOM.read_bytes()
    inputs = [
        raw,
        raw.decode("utf-8"),  # str that still starts with U+FEFF
        io.BytesIO(raw),
        EXPORT_BOM.open("rb"),
        EXPORT_BOM.open(encoding="utf-8", newline=""),  # BOM kept as a character
        EXPORT_BOM.open(encoding="utf-8-sig", newline=""),
    ]
    for source in inputs:
        result = parse_export(source)
        # "Book Id" is the first header: with a stray BOM it would be missed.
        assert [row.goodreads_id for row in result.rows] == expected
        assert [row.line for row in result.rows] == [2, 3]
        if hasattr(source, "close"):
            source.close()


def test_bom_before_a_required_header_is_ignored():
    result = parse_export("\ufeffTitle,Author\nTehanu,Ursula K. Le Guin\n")
    assert result.rows[0].title == "Tehanu"


def test_a_row_that_is_not_utf8_is_reported_and_the_others_import():
    """One stray Latin-1 byte used to stop the whole import."""
    export = "Title,Author\nCaf\xe9,X\nTehanu,Ursula K. Le Guin\n".encode("latin-1")
    result = parse_export(export)
    assert [row.title for row in result.rows] == ["Tehanu"]
    [error] = result.errors
    assert error.line == 2
    assert "Not UTF-8" in error.reason
    assert error.excerpt == "Caf\ufffd,X"
    error.excerpt.encode("utf-8")  # printable: no lone surrogate


def test_a_header_that_is_not_utf8_raises_value_error():
    with pytest.raises(ValueError, match="not UTF-8"):
        parse_export("Titl\xe9,Author\nTehanu,X\n".encode("latin-1"))


# -- bad rows and their line numbers -------------------------------------------


def test_bad_rows_are_reported_at_the_line_where_they_start():
    result = parse_file(EXPORT_BAD)
    assert [row.goodreads_id for row in result.rows] == [1001, 1003, 1007, 1011, 1012]
    assert [row.line for row in result.rows] == [2, 6, 14, 19, 21]
    assert [error.line for error in result.errors] == [5, 10, 11, 12, 16, 17, 18]
    physical = EXPORT_BAD.read_text(encoding="utf-8").splitlines()
    for error, book_id in zip(
        result.errors, [1002, 1004, 1005, 1006, 1008, 1009, 1010], strict=True
    ):
        assert physical[error.line - 1].startswith(f"{book_id},")
        assert error.excerpt.startswith(f"{book_id},")
    assert_lines_start_records(EXPORT_BAD, result)


def test_bad_row_reasons_name_column_and_value():
    reasons = {error.line: error.reason for error in parse_file(EXPORT_BAD).errors}
    assert reasons[5].startswith("My Rating:") and "'6'" in reasons[5]
    assert reasons[10].startswith("Date Added:") and "'2019-05-03'" in reasons[10]
    assert reasons[11].startswith("ISBN13:") and "check digit" in reasons[11]
    assert reasons[12] == "Title: missing."
    assert reasons[16] == "Expected 31 fields as in the header, found 8."
    # Every problem of a row is reported at once.
    assert "My Rating:" in reasons[17] and "'4.5'" in reasons[17]
    assert "Date Read:" in reasons[17] and "'2020/13/01'" in reasons[17]
    assert reasons[18].startswith("Spoiler:") and "'yes'" in reasons[18]


def test_line_numbers_are_the_same_with_crlf_line_endings():
    text = EXPORT_BAD.read_text(encoding="utf-8").replace("\r\n", "\n")
    crlf = text.replace("\n", "\r\n")
    lf_result = parse_export(text)
    crlf_result = parse_export(crlf.encode())
    assert [e.line for e in crlf_result.errors] == [e.line for e in lf_result.errors]
    assert [r.line for r in crlf_result.rows] == [r.line for r in lf_result.rows]


def test_excerpts_are_short_and_leave_out_the_review_and_private_notes():
    long_title = "A Very Long Title " * 10
    result = one_row(
        **{
            "Book Id": "77",
            "Title": long_title,
            "My Rating": "9",
            "My Review": "<spoiler>The butler did it.</spoiler>",
            "Private Notes": "Do not tell Sam.",
        }
    )
    (error,) = result.errors
    assert len(error.excerpt) <= EXCERPT_LENGTH
    assert error.excerpt.startswith("77,A Very Long Title")
    short = one_row(
        **{
            "Book Id": "78",
            "My Rating": "9",
            "My Review": "<spoiler>The butler did it.</spoiler>",
            "Private Notes": "Do not tell Sam.",
        }
    )
    excerpt = short.errors[0].excerpt
    assert "butler" not in excerpt and "Sam" not in excerpt
    assert excerpt.startswith("78,Tehanu,Ursula K. Le Guin")


def test_unreadable_record_is_a_row_error_and_parsing_goes_on():
    huge = "x" * (csv.field_size_limit() + 10)
    text = f'Title,Author\nFirst,A\nHuge,"{huge}"\nLast,B\n'
    result = parse_export(text)
    assert [row.title for row in result.rows] == ["First", "Last"]
    assert [row.line for row in result.rows] == [2, 4]
    (error,) = result.errors
    assert error.line == 3
    assert error.reason.startswith("Unreadable CSV")


def test_blank_lines_are_skipped_but_counted():
    result = parse_export("Title,Author\n\nA,B\n\n\nC,D\n")
    assert [row.line for row in result.rows] == [3, 6]


def test_control_characters_are_removed():
    result = parse_export("Title,Author\nTe\x00ha\x07nu,Le\x1b Guin\n")
    assert (result.rows[0].title, result.rows[0].author) == ("Tehanu", "Le Guin")


# -- fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", None), ("1", 1), ("3", 3), ("5", 5), ("", None), (" 4 ", 4)],
)
def test_rating(value, expected):
    assert one_row(**{"My Rating": value}).rows[0].rating == expected


@pytest.mark.parametrize("value", ["6", "-1", "4.5", "5.0", "five", "10"])
def test_bad_rating_is_a_row_error(value):
    result = one_row(**{"My Rating": value})
    assert result.rows == []
    assert result.errors[0].reason.startswith("My Rating:")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021/03/14", date(2021, 3, 14)),
        ("2021/3/4", date(2021, 3, 4)),
        ("2024/02/29", date(2024, 2, 29)),
        ("", None),
    ],
)
def test_dates(value, expected):
    row = one_row(**{"Date Read": value, "Date Added": value}).rows[0]
    assert (row.date_read, row.date_added) == (expected, expected)


@pytest.mark.parametrize(
    "value",
    ["2021-03-14", "14/03/2021", "03/14/2021", "2021/02/29", "2021/13/01", "yesterday",
     "2021/03/14 10:00"],
)  # fmt: skip
@pytest.mark.parametrize("column", ["Date Read", "Date Added"])
def test_bad_date_is_a_row_error(column, value):
    result = one_row(**{column: value})
    assert result.rows == []
    assert result.errors[0].reason.startswith(f"{column}:")


@pytest.mark.parametrize(
    "shelf", ["read", "currently-reading", "to-read", "did-not-finish", "owned-2024"]
)
def test_exclusive_shelf_is_kept_as_is(shelf):
    assert one_row(**{"Exclusive Shelf": shelf}).rows[0].shelf == shelf


@pytest.mark.parametrize(
    ("isbn", "isbn13", "expected"),
    [
        ('="0141046201"', '="9780141046204"', "9780141046204"),
        ('=""', '="9780141046204"', "9780141046204"),
        ('="0141046201"', '=""', "9780141046204"),  # fallback, converted
        ("0141046201", "", "9780141046204"),  # unwrapped values work too
        ('=""', '=""', None),
        ("", "", None),
        ('="0553588958"', '="9780141046204"', "9780141046204"),  # ISBN13 wins
        ("141046201", "", "9780141046204"),  # a spreadsheet dropped the zero
        ("141046201", "9.78014E+12", "9780141046204"),  # and rounded ISBN13
    ],
)
def test_isbn_columns(isbn, isbn13, expected):
    assert one_row(ISBN=isbn, ISBN13=isbn13).rows[0].isbn13 == expected


@pytest.mark.parametrize(
    ("isbn", "isbn13", "column"),
    [
        ('="0141046201"', '="9780141046205"', "ISBN13"),  # bad check digit
        ('="0141046202"', '=""', "ISBN"),
        ('="01410462"', '=""', "ISBN"),
        ('=""', '="97801410462"', "ISBN13"),
        ("141046202", "", "ISBN"),  # no leading zero makes it an ISBN
    ],
)
def test_bad_isbn_is_a_row_error(isbn, isbn13, column):
    result = one_row(ISBN=isbn, ISBN13=isbn13)
    assert result.rows == []
    assert result.errors[0].reason.startswith(f"{column}:")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("TRUE", True), ("false", False), ("", False)],
)
def test_spoiler_flag(value, expected):
    assert one_row(Spoiler=value).rows[0].review_is_spoiler is expected


def test_bad_spoiler_flag_is_a_row_error():
    assert one_row(Spoiler="1").errors[0].reason.startswith("Spoiler:")


@pytest.mark.parametrize(
    ("year", "original", "expected"),
    [
        ("2006", "1959", 1959),
        ("2006", "", 2006),
        ("", "", None),
        ("1999", "-700", -700),
    ],
)
def test_year_published_prefers_original_publication_year(year, original, expected):
    row = one_row(
        **{"Year Published": year, "Original Publication Year": original}
    ).rows[0]
    assert row.year_published == expected


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Year Published", "c. 1900"),
        ("Original Publication Year", "1959.0"),
        ("Read Count", "once"),
        ("Read Count", "-1"),
        ("Book Id", "abc"),
    ],
)
def test_bad_numbers_are_row_errors(column, value):
    assert one_row(**{column: value}).errors[0].reason.startswith(f"{column}:")


def test_read_count_and_book_id():
    row = one_row(**{"Read Count": "3", "Book Id": "123"}).rows[0]
    assert (row.read_count, row.goodreads_id) == (3, 123)
    assert one_row(**{"Read Count": ""}).rows[0].read_count == 0


@pytest.mark.parametrize("title", ["", "   "])
def test_missing_title_is_a_row_error(title):
    result = one_row(Title=title)
    assert result.rows == []
    assert result.errors[0].reason == "Title: missing."


def test_missing_author_is_a_row_error():
    assert one_row(Author=" ").errors[0].reason == "Author: missing."


def test_review_html_is_kept_raw():
    review = 'Commas, "quotes",\nnewlines\r\nand <b>tags</b> &amp; all.  '
    assert one_row(**{"My Review": review}).rows[0].review_html == review


# -- series in titles -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "series", "position"),
    [
        ("The Betrayal (The Siege, #2)", "The Betrayal", "The Siege", "2"),
        ("Gideon the Ninth (The Locked Tomb #1)", "Gideon the Ninth",
         "The Locked Tomb", "1"),
        ("Penric's Demon (World of the Five Gods, #3.5)", "Penric's Demon",
         "World of the Five Gods", "3.5"),
        ("Prequel (Saga, #0)", "Prequel", "Saga", "0"),
        ("Dune (Dune Chronicles, #1)  ", "Dune", "Dune Chronicles", "1"),
        ("Odd Title (With Parens) (Series, #4)", "Odd Title (With Parens)",
         "Series", "4"),
        ("Mistborn: The Final Empire (Mistborn, #1)", "Mistborn: The Final Empire",
         "Mistborn", "1"),
        ("Catch-22 (Catch-22, #1)", "Catch-22", "Catch-22", "1"),
        ("Stories (Tales, Part Two, #12)", "Stories", "Tales, Part Two", "12"),
    ],
)  # fmt: skip
def test_series_is_split_from_the_title(raw, title, series, position):
    assert split_series(raw) == (title, series, Decimal(position))
    row = one_row(Title=raw).rows[0]
    assert (row.title, row.series_name, row.series_position) == (
        title,
        series,
        Decimal(position),
    )


@pytest.mark.parametrize(
    "raw",
    [
        "The Haunting of Hill House (Penguin Classics)",
        "The Lord of the Rings (The Lord of the Rings, #1-3)",
        "Harry Potter Boxed Set (Harry Potter, #1-7)",
        "Learning C# (Third Edition)",
        "Dune (Deluxe Edition) and More",
        "(Series, #1)",
        "Title (#1)",
        "Title (Series, #one)",
        "Title (Series, #2) Extra",
        "Nineteen Eighty-Four",
    ],
)
def test_parentheses_that_are_not_a_series_stay_in_the_title(raw):
    assert split_series(raw) == (raw.strip(), None, None)


# -- writing ---------------------------------------------------------------------


def written(rows) -> str:
    out = io.StringIO(newline="")
    write_export(rows, out)
    return out.getvalue()


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.name)
def test_write_export_round_trips(path):
    rows = parse_file(path).rows
    again = parse_export(written(rows))
    assert again.errors == []
    assert again.rows == rows
    # line is not part of equality; check the fields one by one anyway
    for a, b in zip(again.rows, rows, strict=True):
        assert vars(a) | {"line": 0} == vars(b) | {"line": 0}


def test_write_export_round_trips_a_generated_export():
    rows = parse_export(make_export_csv(400, seed=3)).rows
    assert parse_export(written(rows)).rows == rows


def test_write_export_format():
    rows = by_id(parse_file(EXPORT_31))
    text = written([rows[48651234], rows[42036538], rows[25807906]])
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == list(EXPORT_COLUMNS)
    assert all(len(record) == 31 for record in records)
    betrayal, gideon, penric = (
        dict(zip(records[0], record, strict=True)) for record in records[1:]
    )
    assert betrayal["Title"] == "The Betrayal (The Siege, #2)"
    assert betrayal["ISBN"] == '="0141046201"'
    assert betrayal["ISBN13"] == '="9780141046204"'
    assert betrayal["Date Read"] == "2022/01/09"
    assert betrayal["Date Added"] == "2021/12/24"
    assert betrayal["My Rating"] == "4"
    assert betrayal["Exclusive Shelf"] == "read"
    assert gideon["Title"] == "Gideon the Ninth (The Locked Tomb, #1)"
    assert gideon["My Rating"] == "0"  # unrated
    assert gideon["Date Read"] == ""
    assert penric["Title"] == "Penric's Demon (World of the Five Gods, #3.5)"
    assert penric["ISBN"] == penric["ISBN13"] == '=""'
    # Raw file text looks like Goodreads': Excel formulas inside CSV quotes.
    assert '"=""0141046201""","=""9780141046204"""' in text


def test_write_export_to_a_binary_file():
    rows = parse_file(EXPORT_31).rows
    out = io.BytesIO()
    write_export(rows, out)
    assert not out.closed
    assert parse_export(out.getvalue()).rows == rows


def test_write_export_of_a_979_isbn_leaves_isbn10_empty():
    (row,) = one_row(ISBN13='="9791090636071"').rows
    values = list(csv.reader(io.StringIO(written([row]))))[1]
    record = dict(zip(EXPORT_COLUMNS, values, strict=True))
    assert (record["ISBN"], record["ISBN13"]) == ('=""', '="9791090636071"')
    assert parse_export(written([row])).rows == [row]


# -- the sample generator ----------------------------------------------------------


def test_sample_export_is_deterministic_and_realistic():
    text = make_export_csv(500, seed=7)
    assert text == make_export_csv(500, seed=7)
    assert text != make_export_csv(500, seed=8)
    result = parse_export(text)
    assert len(result.rows) + len(result.errors) == 500
    bad = [i for i in range(500) if is_bad_row(i)]
    assert len(result.errors) == len(bad) == 5
    assert {error.reason.split(":")[0] for error in result.errors} == {
        "My Rating", "Date Added", "ISBN13", "Title", "Date Read",
    }  # fmt: skip
    assert len(BAD_ROW_KINDS) == 5
    rows = result.rows
    assert {row.shelf for row in rows} >= {"read", "to-read", "currently-reading"}
    assert any(row.series_name for row in rows)
    assert any(row.series_position % 1 for row in rows if row.series_position)
    assert any(row.review_is_spoiler for row in rows)
    assert any("[spoiler]" in row.review_html for row in rows)
    assert any("<spoiler>" in row.review_html for row in rows)
    assert any("\n" in row.review_html for row in rows)
    assert any(row.isbn13 is None for row in rows)
    assert any(row.rating is None for row in rows)


def test_sample_export_line_numbers_match_the_text():
    text = make_export_csv(300, seed=1)
    result = parse_export(text)
    physical = text.splitlines()
    for row in result.rows:
        assert physical[row.line - 1].startswith(f"{row.goodreads_id},")
    assert max(row.line for row in result.rows) > 301  # multi-line reviews exist


def test_sample_export_of_5000_rows():
    result = parse_export(make_export_csv(5000))
    assert len(result.rows) == 4950
    assert len(result.errors) == 50
