import pytest

from reviews.isbn import (
    is_valid_isbn10,
    is_valid_isbn13,
    isbn10_to_isbn13,
    isbn13_to_isbn10,
    normalise_isbn,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    # tests/conftest.py clears Django's cache around every test. This module uses
    # no Django and must also run with -p no:django, so a no-op replaces it here.
    yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9780141046204", "9780141046204"),
        ("978-0-14-104620-4", "9780141046204"),
        ("978 0 14 104620 4", "9780141046204"),
        ("  9780141046204\n", "9780141046204"),
        ('="9780141046204"', "9780141046204"),
        ('="978-0-14-104620-4"', "9780141046204"),
        # ISBN-10s become 978 ISBN-13s with a recomputed check digit.
        ("0141046201", "9780141046204"),
        ("0-14-104620-1", "9780141046204"),
        ('="0141046201"', "9780141046204"),
        ("080442957X", "9780804429573"),
        ("080442957x", "9780804429573"),
        ('="080442957x"', "9780804429573"),
        ("979-10-90636-07-1", "9791090636071"),
        # Edge spellings: X after hyphens, pasted dashes and spaces.
        ("0-8044-2957-x", "9780804429573"),
        ("0 8044 2957 X", "9780804429573"),
        ("978\u20130\u201314\u2013104620\u20134", "9780141046204"),
        ("978\u00a00141046204", "9780141046204"),
        ('="0-8044-2957-X"', "9780804429573"),
    ],
)
def test_normalise_isbn_returns_isbn13(value, expected):
    assert normalise_isbn(value) == expected


@pytest.mark.parametrize("value", ["", "   ", '=""', ' = "" ', None])
def test_normalise_isbn_empty_is_none(value):
    assert normalise_isbn(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345", "has 5 characters"),
        ("97801410462041", "has 14 characters"),
        ("014104620", "has 9 characters"),
        ("014104620A", "may only contain digits"),
        ("01410X6201", "may only contain digits"),  # X only as the check digit
        ("978014104620X", "may only contain digits"),  # no X in an ISBN-13
        ("97801410462O4", "may only contain digits"),  # letter O, not zero
        ("0141046202", "check digit 2, expected 1"),
        ('="0141046202"', "check digit 2, expected 1"),
        ("014104620X", "check digit X, expected 1"),
        ("9780141046205", "check digit 5, expected 4"),
        ("9771234567003", "must start with 978 or 979"),
        ("٩٧٨٠١٤١٠٤٦٢٠٤", "may only contain digits"),  # Arabic-Indic digits
        ("９７８０１４１０４６２０４", "may only contain digits"),  # full-width digits
        ("0804429570", "check digit 0, expected X"),
        ("0-8044-2957-0", "check digit 0, expected X"),
        ("978-0-14-104620-5", "check digit 5, expected 4"),
        ("X141046201", "may only contain digits"),
        ("0141046201X", "has 11 characters"),
    ],
)
def test_normalise_isbn_rejects_bad_values_clearly(value, message):
    with pytest.raises(ValueError, match=message):
        normalise_isbn(value)


def test_error_message_shows_the_value_without_excel_wrapping():
    with pytest.raises(ValueError) as excinfo:
        normalise_isbn('="9780141046205"')
    assert "'9780141046205'" in str(excinfo.value)
    assert "=" not in str(excinfo.value).split("'")[1]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9780141046204", True),
        ("978-0-14-104620-4", True),
        ("9791090636071", True),
        ("9780141046205", False),
        ("9771234567003", False),  # valid EAN-13, but not an ISBN
        ("0141046201", False),
        ("", False),
        ("978014104620", False),
    ],
)
def test_is_valid_isbn13(value, valid):
    assert is_valid_isbn13(value) is valid


def test_is_valid_isbn10():
    assert is_valid_isbn10("0141046201")
    assert is_valid_isbn10("080442957x")
    assert not is_valid_isbn10("0141046202")
    assert not is_valid_isbn10("9780141046204")


def test_isbn10_to_isbn13_and_back():
    assert isbn10_to_isbn13("0-14-104620-1") == "9780141046204"
    assert isbn10_to_isbn13("080442957X") == "9780804429573"
    assert isbn13_to_isbn10("9780141046204") == "0141046201"
    assert isbn13_to_isbn10("9780804429573") == "080442957X"
    # 979 ISBNs have no ISBN-10 form.
    assert isbn13_to_isbn10("9791090636071") is None


def test_conversions_validate_their_input():
    with pytest.raises(ValueError, match="check digit"):
        isbn10_to_isbn13("0141046202")
    with pytest.raises(ValueError, match="not 10"):
        isbn10_to_isbn13("9780141046204")
    with pytest.raises(ValueError, match="check digit"):
        isbn13_to_isbn10("9780141046205")


def test_every_isbn10_check_digit_round_trips():
    # Covers each possible ISBN-10 check digit, X (10) included.
    for n in range(11):
        body = f"{n:09d}"
        isbn13 = normalise_isbn(body + _isbn10_check(body))
        assert is_valid_isbn13(isbn13)
        assert isbn13_to_isbn10(isbn13) == body + _isbn10_check(body)


def _isbn10_check(body):
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return "X" if check == 10 else str(check)
