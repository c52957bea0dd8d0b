import html
import random
import re
from pathlib import Path

import pytest

from reviews.goodreads import (
    DEFAULT_SPOILER_LABEL,
    SpoiledBook,
    parse_export,
    review_to_stream,
    stream_to_review_html,
)
from reviews.goodreads.sample import (
    REVIEW_SENTENCES,
    SPOILER_SENTENCES,
    make_export_csv,
)

FIXTURES = Path(__file__).parent / "fixtures"

# Every spoiler passage written into the fixture files, and text around them that
# must stay visible.
FIXTURE_SPOILERS = [
    "Calo and Galdo die in the Gray King's trap.",
    "The siege ends when Orhan opens the gates himself.",
    "Then the council hangs him for it.",
    "Ged names the shadow with his own name, Ged, and they become one.",
    "Vetch watches from the boat, and the review never closes this tag",
    "Frodo fails at the last moment",
    "Gollum falls with the ring.",
    "The Shire is scoured.",
    "the robber is Zara's neighbour",
    "and the hostage was in on it.",
    "Jack is",
    "the policeman's",
    "son, and Jim is his father.",
]
FIXTURE_VISIBLE = [
    "After that the book turns into a revenge story.",
    "Read it anyway.",
    "Short and wise.",
    "Safe to read again.",
    "The end.",
    "We all cried at the bridge.",
]
ALLOWED_TAG = re.compile(r'^(?:</?[bip]>|<br/>|<a href="[^"<>]*">|</a>)$')


@pytest.fixture(autouse=True)
def _clear_cache():
    # tests/conftest.py clears Django's cache around every test. This module uses
    # no Django and must also run with -p no:django, so a no-op replaces it here.
    yield


def text_of(value: str) -> str:
    """Visible text of an HTML value, tags as spaces, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", value)).split())


def visible_text(stream) -> str:
    return " | ".join(
        text_of(block["value"]) for block in stream if block["type"] == "paragraph"
    )


def hidden_text(stream) -> str:
    return " | ".join(
        text_of(child["value"])
        for block in stream
        if block["type"] == "spoiler"
        for child in block["value"]["content"]
    )


def paragraphs(stream) -> list:
    """A compact view: paragraph values, and spoilers as lists of their values."""
    out = []
    for block in stream:
        if block["type"] == "paragraph":
            out.append(block["value"])
        else:
            out.append([child["value"] for child in block["value"]["content"]])
    return out


def assert_clean(stream) -> None:
    """Shape of the raw data, and only allowed markup in it."""
    for block in stream:
        assert set(block) == {"type", "value"}  # no "id": Wagtail adds it
        if block["type"] == "paragraph":
            values = [block["value"]]
        else:
            assert block["type"] == "spoiler"
            value = block["value"]
            assert list(value) == ["spoils", "chapter", "label", "content"]
            assert value["spoils"] is None and value["chapter"] is None
            assert value["content"], "empty spoiler blocks are dropped"
            for child in value["content"]:
                assert set(child) == {"type", "value"}
                assert child["type"] == "paragraph"
            values = [child["value"] for child in value["content"]]
        for value in values:
            assert value.startswith("<p>") and value.endswith("</p>")
            assert value.count("<p>") == 1
            assert text_of(value), "empty paragraphs are dropped"
            for tag in re.findall(r"<[^>]*>", value):
                assert ALLOWED_TAG.match(tag), tag
            assert "<" not in re.sub(r"<[^>]*>", "", value)


def assert_round_trip(stream, label=DEFAULT_SPOILER_LABEL) -> None:
    assert review_to_stream(stream_to_review_html(stream), label=label) == stream


# -- paragraphs and formatting -------------------------------------------------


def test_paragraphs_and_line_breaks():
    stream = review_to_stream(
        "First paragraph,<br/>second line.<br/><br/>Second paragraph.<br /><br>"
        "<br/>Third, after three breaks.",
        False,
    )
    assert stream == [
        {"type": "paragraph", "value": "<p>First paragraph,<br/>second line.</p>"},
        {"type": "paragraph", "value": "<p>Second paragraph.</p>"},
        {"type": "paragraph", "value": "<p>Third, after three breaks.</p>"},
    ]
    assert_round_trip(stream)


def test_literal_newlines_count_as_line_breaks():
    stream = review_to_stream("One\nline two\r\n\r\nNew paragraph.\r\rAnother.")
    assert paragraphs(stream) == [
        "<p>One<br/>line two</p>",
        "<p>New paragraph.</p>",
        "<p>Another.</p>",
    ]


def test_empty_paragraphs_and_whitespace_are_dropped():
    stream = review_to_stream(
        "<br/><br/>  <br/>Text <br/>   <br/><br/><b> </b><br/><br/>  more  text  "
        "<br/><br/><i></i><br/><br/>"
    )
    assert paragraphs(stream) == ["<p>Text</p>", "<p>more text</p>"]


@pytest.mark.parametrize("value", ["", None, "<br/><br/>", "   ", "<b></b>", "\n"])
def test_empty_review_gives_empty_stream(value):
    assert review_to_stream(value, False) == []
    assert review_to_stream(value, True) == []


def test_formatting_is_kept_and_normalised():
    stream = review_to_stream(
        "<strong>bold</strong>, <em>italic</em>, <b>bold <i>both</i> bold</b>, "
        '<a href="https://example.org/a?b=1&amp;c=2">link</a>, '
        '<a href="mailto:club@example.org">mail</a>, '
        '<a href="http://example.org"><b>bold link</b></a>'
    )
    (block,) = stream
    assert block["value"] == (
        "<p><b>bold</b>, <i>italic</i>, <b>bold <i>both</i> bold</b>, "
        '<a href="https://example.org/a?b=1&amp;c=2">link</a>, '
        '<a href="mailto:club@example.org">mail</a>, '
        '<a href="http://example.org"><b>bold link</b></a></p>'
    )
    assert_round_trip(stream)


def test_formatting_left_open_is_closed_per_paragraph():
    stream = review_to_stream("<b>bold<br/><br/>still bold</b> plain<br/><br/><i>open")
    assert paragraphs(stream) == [
        "<p><b>bold</b></p>",
        "<p><b>still bold</b> plain</p>",
        "<p><i>open</i></p>",
    ]


def test_text_is_escaped():
    stream = review_to_stream("5 < 6 & 7 > 3, I <3 it, &lt;b&gt; is a tag, x</3")
    (block,) = stream
    assert block["value"] == (
        "<p>5 &lt; 6 &amp; 7 &gt; 3, I &lt;3 it, &lt;b&gt; is a tag, x&lt;/3</p>"
    )
    assert text_of(block["value"]) == "5 < 6 & 7 > 3, I <3 it, <b> is a tag, x</3"
    assert_round_trip(stream)


def test_non_breaking_spaces_and_entities():
    (block,) = review_to_stream("caf&eacute;&nbsp;au&#160;lait &mdash; &#x1F4DA;")
    assert block["value"] == "<p>caf\xe9\xa0au\xa0lait \u2014 \U0001f4da</p>"


# -- sanitising --------------------------------------------------------------------


@pytest.mark.parametrize(
    "review",
    [
        "<script>alert(1)</script>Hello",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>Hello",
        "<style>p{display:none}</style>Hello",
        "<img src=x onerror=alert(1)>Hello",
        '<p onclick="alert(1)">Hello</p>',
        '<i onmouseover="alert(1)">Hello</i>',
        '<iframe src="https://evil.example"></iframe>Hello',
        "<svg/onload=alert(1)>Hello",
        "<!-- <script>alert(1)</script> -->Hello",
        "<![CDATA[<script>alert(1)</script>]]>Hello",
        '<a href="javascript:alert(1)">Hello</a>',
        '<a href=" JaVaScRiPt:alert(1)">Hello</a>',
        '<a href="java\tscript:alert(1)">Hello</a>',
        '<a href="java&#x09;script:alert(1)">Hello</a>',
        '<a href="&#106;avascript:alert(1)">Hello</a>',
        '<a href="javascript&colon;alert(1)">Hello</a>',
        '<a href="data:text/html,<script>alert(1)</script>">Hello</a>',
        '<a href="vbscript:msgbox(1)">Hello</a>',
        '<a href="file:///etc/passwd">Hello</a>',
        '<a href="relative/page.html">Hello</a>',
        "<a>Hello</a>",
        '<a href="\x00javascript:alert(1)">Hello</a>',
        "<template><b>alert(1)</b></template>Hello",
        "<noscript><script>alert(1)</script></noscript>Hello",
        '<object data="javascript:alert(1)"></object>Hello',
        '<form action="javascript:alert(1)"><button>Hello</button></form>',
        "<math><mi>Hello</mi></math>",
    ],
)
def test_dangerous_markup_does_not_survive(review):
    stream = review_to_stream(review)
    assert_clean(stream)
    assert visible_text(stream) == "Hello"
    assert "<a " not in stream[0]["value"]
    for word in ("script", "alert", "onerror", "onclick", "javascript", "style"):
        assert word not in stream_to_review_html(stream).lower()


def test_allowed_tags_keep_no_attribute_but_a_safe_href():
    (block,) = review_to_stream(
        '<a href="https://example.org/" onclick="alert(1)" style="color:red" '
        'target="_blank">link</a> <b class="x" onmouseover="alert(1)">bold</b> '
        '<em id="y" style="display:none">italic</em>'
    )
    assert block["value"] == (
        '<p><a href="https://example.org/">link</a> <b>bold</b> <i>italic</i></p>'
    )


def test_href_quotes_cannot_break_out_of_the_attribute():
    (block,) = review_to_stream(
        "<a href='https://example.org/\"onmouseover=\"alert(1)'>x</a>"
    )
    assert block["value"] == (
        '<p><a href="https://example.org/&quot;onmouseover=&quot;alert(1)">x</a></p>'
    )
    assert_clean([block])


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/book/show/1.Dune", "https://www.goodreads.com/book/show/1.Dune"),
        ("//www.goodreads.com/user/show/2", "https://www.goodreads.com/user/show/2"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG"),
    ],
)
def test_link_targets_are_made_absolute_or_trimmed(href, expected):
    (block,) = review_to_stream(f'<a href="{href}">x</a>')
    assert block["value"] == f'<p><a href="{html.escape(expected)}">x</a></p>'


def test_unknown_tags_are_dropped_but_their_text_kept():
    stream = review_to_stream(
        "<u>under</u> <span class=x>span</span> <font color=red>font</font>"
        "<blockquote>quoted</blockquote><ul><li>one</li><li>two</li></ul>after"
    )
    assert paragraphs(stream) == [
        "<p>under span font</p>",
        "<p>quoted</p>",
        "<p>one</p>",
        "<p>two</p>",
        "<p>after</p>",
    ]
    assert_clean(stream)


# -- spoilers --------------------------------------------------------------------


def test_spoiler_in_the_middle_of_a_paragraph_splits_it():
    stream = review_to_stream(
        "Loved it. <spoiler>The mapmaker is the traitor.</spoiler> Read it!", False
    )
    assert stream == [
        {"type": "paragraph", "value": "<p>Loved it.</p>"},
        {
            "type": "spoiler",
            "value": {
                "spoils": None,
                "chapter": None,
                "label": "Spoiler from the Goodreads review",
                "content": [
                    {
                        "type": "paragraph",
                        "value": "<p>The mapmaker is the traitor.</p>",
                    }
                ],
            },
        },
        {"type": "paragraph", "value": "<p>Read it!</p>"},
    ]
    assert_round_trip(stream)


def test_bbcode_spoiler_spanning_paragraphs():
    stream = review_to_stream(
        "Intro.<br/><br/>Before [spoiler]first secret.<br/><br/>Second "
        "secret.[/spoiler] after.<br/><br/>Outro."
    )
    assert paragraphs(stream) == [
        "<p>Intro.</p>",
        "<p>Before</p>",
        ["<p>first secret.</p>", "<p>Second secret.</p>"],
        "<p>after.</p>",
        "<p>Outro.</p>",
    ]
    assert_round_trip(stream)


@pytest.mark.parametrize(
    "review",
    [
        "Shown. <spoiler>Hidden to the end.<br/><br/>Still hidden.",
        "Shown. [spoiler]Hidden to the end.<br/><br/>Still hidden.",
        "Shown. [SPOILER]Hidden to the end.<br/><br/>Still hidden.",
        "Shown. <spoiler>Hidden to the end.<br/><br/>Still hidden.[/spoiler]",
        "Shown. [spoiler]Hidden to the end.<br/><br/>Still hidden.</spoiler>",
        "Shown. <spoiler>[spoiler]Hidden to the end.</spoiler><br/><br/>Still hidden.",
        "Shown. <spoiler>Hidden <spoiler>to</spoiler> the end.<br/><br/>Still hidden.",
        "Shown. [spoiler]Hidden [spoiler]to[/spoiler] the end.<br/><br/>Still hidden.",
    ],
)
def test_unclosed_or_mismatched_spoilers_run_to_the_end(review):
    stream = review_to_stream(review)
    assert visible_text(stream) == "Shown."
    assert hidden_text(stream) == "Hidden to the end. | Still hidden."
    assert_clean(stream)
    assert_round_trip(stream)


def test_misspelt_closing_marker_closes_nothing():
    stream = review_to_stream("Shown. [spoiler]Hidden.[/spoilr] Still hidden.")
    assert visible_text(stream) == "Shown."
    assert hidden_text(stream) == "Hidden.[/spoilr] Still hidden."


@pytest.mark.parametrize(
    "review",
    [
        "Shown. <spoiler Hidden to the end.<br/><br/>Still hidden.",
        "Shown. <spoiler\nStill hidden.",
        "Shown. &lt;spoiler&gt;Still hidden.",
        "Shown. &lt;spoiler Still hidden.",
    ],
)
def test_unfinished_or_escaped_spoiler_tag_still_hides(review):
    # html.parser reads "<spoiler Hidden to the end.<br/>" as a tag with
    # attributes, as a browser would: that text is lost, but none is shown.
    stream = review_to_stream(review)
    assert visible_text(stream) == "Shown."
    assert hidden_text(stream) == "Still hidden."
    assert_round_trip(stream)


def test_stray_closing_markers_are_ignored():
    stream = review_to_stream("One [/spoiler] two </spoiler> three")
    assert paragraphs(stream) == ["<p>One two three</p>"]


def test_both_syntaxes_in_one_review():
    stream = review_to_stream(
        "A <spoiler>one</spoiler> B [spoiler]two[/spoiler] C <spoiler>three "
        "[spoiler]four[/spoiler] five</spoiler> D"
    )
    assert paragraphs(stream) == [
        "<p>A</p>",
        ["<p>one</p>"],
        "<p>B</p>",
        ["<p>two</p>"],
        "<p>C</p>",
        ["<p>three four five</p>"],
        "<p>D</p>",
    ]


def test_formatting_carries_across_a_spoiler():
    stream = review_to_stream("<i>Calm <spoiler>then <b>murder</b></spoiler> calm</i>")
    assert paragraphs(stream) == [
        "<p><i>Calm</i></p>",
        ["<p><i>then <b>murder</b></i></p>"],
        "<p><i>calm</i></p>",
    ]


def test_marker_split_by_a_tag_is_no_marker_and_is_removed():
    # Goodreads reads markers in the raw text, where "[spo<i></i>iler]" is none.
    # Its text is removed all the same, so that no output can spell a marker.
    for review in ["A [spo<i></i>iler]B", "A [spo<!-- -->iler]B", "A [spo<x>iler]B"]:
        stream = review_to_stream(review)
        assert paragraphs(stream) == ["<p>A B</p>"]


@pytest.mark.parametrize(
    "opening",
    [
        "<!-- <spoiler> -->",
        "<!-- [spoiler] -->",
        "<![CDATA[<spoiler>]]>",
        "<style><spoiler></style>",
        "<script>[spoiler]</script>",
    ],
)
def test_an_opening_in_dropped_markup_still_opens(opening):
    # Goodreads finds markers in the raw text, where these open a spoiler:
    # what follows stays hidden up to a real closer.
    stream = review_to_stream(f"A {opening}The butler did it.[/spoiler]</spoiler> B")
    assert "butler" not in visible_text(stream)
    assert "butler" in hidden_text(stream)
    assert "B" in visible_text(stream)


def test_marker_inside_a_tag_attribute_is_not_text():
    stream = review_to_stream('<a href="https://x.org/[spoiler]">link</a> text')
    assert paragraphs(stream) == [
        '<p><a href="https://x.org/[spoiler]">link</a> text</p>'
    ]


def test_whole_review_spoiler():
    stream = review_to_stream(
        "All of it. [spoiler]Inline[/spoiler] too.<br/><br/><spoiler>More</spoiler>.",
        True,
        label="Ending of the book",
    )
    assert stream == [
        {
            "type": "spoiler",
            "value": {
                "spoils": None,
                "chapter": None,
                "label": "Ending of the book",
                "content": [
                    {"type": "paragraph", "value": "<p>All of it. Inline too.</p>"},
                    {"type": "paragraph", "value": "<p>More.</p>"},
                ],
            },
        }
    ]
    assert_round_trip(stream, label="Ending of the book")


def test_spoiler_without_visible_text_is_dropped():
    assert paragraphs(review_to_stream("A <spoiler> <br/> </spoiler> B")) == [
        "<p>A</p>",
        "<p>B</p>",
    ]


def test_default_label_is_short_and_spoiler_free():
    (block,) = review_to_stream("<spoiler>The butler did it.</spoiler>")
    label = block["value"]["label"]
    assert label == DEFAULT_SPOILER_LABEL
    assert 0 < len(label) <= 120
    assert "butler" not in label


# -- fixtures and generated exports: no spoiler leaks ------------------------------


def fixture_rows() -> list:
    return [
        pytest.param(row, id=f"{path.stem}:{row.line}")
        for path in sorted(FIXTURES.glob("*.csv"))
        for row in parse_export(path.read_bytes()).rows
    ]


@pytest.mark.parametrize("row", fixture_rows())
def test_fixture_reviews_never_leak_spoilers(row):
    stream = review_to_stream(row.review_html, row.review_is_spoiler)
    assert_clean(stream)
    shown, hidden = visible_text(stream), hidden_text(stream)
    raw = text_of(row.review_html)
    for phrase in FIXTURE_SPOILERS:
        assert phrase not in shown
        if phrase in raw:
            assert phrase in hidden
    for phrase in FIXTURE_VISIBLE:
        if phrase in raw and not row.review_is_spoiler:
            assert phrase in shown
    if row.review_is_spoiler:
        assert all(block["type"] == "spoiler" for block in stream)
    assert_round_trip(stream)


def test_fixtures_contain_the_listed_spoilers():
    # Guard against the fixtures and FIXTURE_SPOILERS drifting apart.
    raw = " ".join(
        text_of(row.review_html)
        for path in FIXTURES.glob("*.csv")
        for row in parse_export(path.read_bytes()).rows
    )
    for phrase in FIXTURE_SPOILERS + FIXTURE_VISIBLE:
        assert phrase in raw


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_reviews_never_leak_spoilers(seed):
    rows = parse_export(make_export_csv(400, seed=seed)).rows
    spoiler_rows = 0
    for row in rows:
        stream = review_to_stream(row.review_html, row.review_is_spoiler)
        assert_clean(stream)
        shown, hidden = visible_text(stream), hidden_text(stream)
        for sentence in SPOILER_SENTENCES:
            assert sentence not in shown
            if sentence in row.review_html:
                assert sentence in hidden
                spoiler_rows += 1
        for sentence in REVIEW_SENTENCES:
            if sentence in text_of(row.review_html) and not row.review_is_spoiler:
                assert sentence in shown or sentence in hidden
        assert_round_trip(stream)
    assert spoiler_rows > 10


# -- stream_to_review_html ---------------------------------------------------------


def test_stream_to_review_html_format():
    stream = review_to_stream(
        "<b>One</b> &amp; two.<br/>Line.<br/><br/>[spoiler]Secret <i>one</i>."
        "<br/><br/>Secret two.[/spoiler]<br/><br/>Last."
    )
    assert stream_to_review_html(stream) == (
        "<b>One</b> &amp; two.<br/>Line.<br/><br/><spoiler>Secret <i>one</i>."
        "<br/><br/>Secret two.</spoiler><br/><br/>Last."
    )


def test_stream_to_review_html_copes_with_admin_edited_rich_text():
    class RichText:  # stands in for wagtail.rich_text.RichText
        def __init__(self, source):
            self.source = source

    stream = [
        {"type": "paragraph", "value": "<p>One</p><p>Two</p>", "id": "a1"},
        {"type": "heading", "value": "A heading & more"},
        {"type": "paragraph", "value": RichText("<ul><li>Item</li></ul>")},
        {"type": "image", "value": {"image": 5, "caption": "skipped"}},
        {"type": "quote", "value": {"text": "To be\nor not", "attribution": "H."}},
        {
            "type": "spoiler",
            "id": "b2",
            "value": {
                "spoils": 3,
                "chapter": 12,
                "label": "Custom",
                "content": [
                    {"type": "paragraph", "value": '<p><a linktype="page" id="3">x'},
                    {"type": "quote", "value": {"text": "He dies.", "attribution": ""}},
                    {"type": "image", "value": {"image": 5, "caption": "c"}},
                ],
            },
        },
        {"type": "spoiler", "value": {"label": "Empty", "content": []}},
        {"type": "paragraph", "value": "<p><br/></p>"},
    ]
    siege = SpoiledBook("The Siege", "Helen Dunmore", "9780141046204")
    assert stream_to_review_html(stream, {3: siege}) == (
        "One<br/><br/>Two<br/><br/><b>A heading &amp; more</b><br/><br/>Item"
        "<br/><br/>\u201cTo be<br/>or not\u201d \u2014 H.<br/><br/>"
        '<spoiler label="Custom" book="The Siege" author="Helen Dunmore" '
        'isbn13="9780141046204" chapter="12">x<br/><br/>\u201cHe dies.\u201d'
        "</spoiler>"
    )


def test_stream_to_review_html_removes_spoiler_markers_typed_into_text():
    # A "[/spoiler]" typed in the admin must not end the spoiler on export.
    stream = [
        {
            "type": "spoiler",
            "value": {
                "label": "x",
                "content": [{"type": "paragraph", "value": "<p>a [/spoiler] b</p>"}],
            },
        },
        {"type": "paragraph", "value": "<p>c &lt;/spoiler&gt; d</p>"},
    ]
    exported = stream_to_review_html(stream)
    assert exported == '<spoiler label="x">a b</spoiler><br/><br/>c d'
    assert visible_text(review_to_stream(exported)) == "c d"


def test_nested_spoiler_blocks_are_flattened_inside_one_spoiler():
    inner = {"type": "spoiler", "value": {"content": [
        {"type": "paragraph", "value": "<p>deep</p>"}]}}  # fmt: skip
    outer = {"type": "spoiler", "value": {"content": [
        {"type": "paragraph", "value": "<p>outer</p>"}, inner]}}  # fmt: skip
    assert stream_to_review_html([outer]) == "<spoiler>outer<br/><br/>deep</spoiler>"


@pytest.mark.parametrize(
    "review",
    [
        "Plain.",
        "A<br/>B<br/><br/>C",
        "<b>a<i>b</b>c</i>d",
        "<a href='https://x.org'>a<b>b</a>c</b>",
        "x <spoiler>a</spoiler> <spoiler>b</spoiler> y",
        "[spoiler]a[/spoiler][spoiler]b[/spoiler]",
        "a [spo[/spoiler]iler] b",
        "a<spoiler>b<br/><br/>c</spoiler>d<br/>e",
        "  lead and trail  <br/>  spaces  ",
        "\xa0nbsp\xa0<br/>\xa0<br/>x\xa0",
        "<b>[spo</b>iler] not a marker",
        "&#91;spoiler]entity-written marker",
        "tab\there\fform\x0bfeed",
    ],
)
def test_round_trip_examples(review):
    for whole in (False, True):
        stream = review_to_stream(review, whole)
        assert_clean(stream)
        assert_round_trip(stream)


# -- randomised: no leaks, nothing lost, round trip --------------------------------


def random_review(rng: random.Random) -> tuple[str, set[str], set[str]]:
    """A random review, and the words that must be shown and hidden.

    Spoiler state is modelled as the importer's contract: each syntax counts
    its own openings, a closer without an opening of its kind is ignored, and
    anything inside any open spoiler is hidden.
    """
    depth = {"tag": 0, "bb": 0}
    parts: list[str] = []
    shown: set[str] = set()
    hidden: set[str] = set()
    for n in range(rng.randint(1, 40)):
        roll = rng.random()
        if roll < 0.45:
            is_hidden = any(depth.values())
            word = f"{'zz' if is_hidden else 'ww'}{n}"
            (hidden if is_hidden else shown).add(word)
            parts.append(rng.choice(["", " ", "  ", "\xa0"]) + word + rng.choice(
                ["", " ", ", ", ". ", "\n", "&nbsp;"]))  # fmt: skip
            if rng.random() < 0.3:
                parts.append(" ")
        elif roll < 0.60:
            kind = rng.choice(["tag", "bb"])
            closing = rng.random() < 0.5
            if closing and depth[kind]:
                depth[kind] -= 1
            elif not closing:
                depth[kind] += 1
            if kind == "tag":
                parts.append(f"<{'/' if closing else ''}spoiler>")
            else:
                name = rng.choice(["spoiler", "SPOILER", "Spoiler"])
                parts.append(f"[{'/' if closing else ''}{name}]")
            parts.append(rng.choice(["", " "]))
        else:
            parts.append(rng.choice([
                "<b>", "</b>", "<i>", "</i>", "<strong>", "</em>", "<br/>",
                "<br/><br/>", "<br>", "</p><p>", '<a href="https://x.org/1">',
                '<a href="javascript:alert(1)">', "</a>", "<img src=x onerror=y>",
                "<script>zzscript</script>", " ", "\n\n", "&amp;", " < ", "<u>",
                "<!-- c -->",
            ]))  # fmt: skip
    return "".join(parts), shown, hidden


def words(text: str) -> set[str]:
    return set(re.findall(r"(?:ww|zz)\d+", text))


def test_random_reviews():
    rng = random.Random(20240611)
    for _ in range(3000):
        review, shown, hidden = random_review(rng)
        stream = review_to_stream(review)
        assert_clean(stream)
        assert words(visible_text(stream)) == shown, review
        assert words(hidden_text(stream)) == hidden, review
        assert_round_trip(stream)
        exported = stream_to_review_html(stream)
        assert stream_to_review_html(review_to_stream(exported)) == exported

        whole = review_to_stream(review, True)
        assert all(block["type"] == "spoiler" for block in whole)
        assert len(whole) <= 1
        assert words(hidden_text(whole)) == shown | hidden
        assert_round_trip(whole)


# -- a spoiler's scope and Goodreads link markup ------------------------------------


def test_spoiler_scope_is_written_on_the_tag_and_read_back():
    siege = SpoiledBook("The Siege", "Helen Dunmore", "9780141046204")
    stream = [
        {"type": "paragraph", "value": "<p>Quieter than the first.</p>"},
        {
            "type": "spoiler",
            "value": {
                "spoils": 7,
                "chapter": 7,
                "label": 'What "Anna" learns',
                "content": [{"type": "paragraph", "value": "<p>Anna lives.</p>"}],
            },
        },
    ]
    exported = stream_to_review_html(stream, {7: siege})
    assert exported == (
        'Quieter than the first.<br/><br/><spoiler label="What &quot;Anna&quot; '
        'learns" book="The Siege" author="Helen Dunmore" isbn13="9780141046204" '
        'chapter="7">Anna lives.</spoiler>'
    )
    asked: list[SpoiledBook] = []

    def find(book: SpoiledBook) -> int:
        asked.append(book)
        return 7

    assert review_to_stream(exported, spoiled_book=find) == stream
    assert asked == [siege]


@pytest.mark.parametrize(
    ("tag", "label", "chapter"),
    [
        ('<spoiler chapter="seven">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler chapter="0">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler chapter="-3">', DEFAULT_SPOILER_LABEL, None),
        # Digits that are no plain chapter number: one failed the whole row.
        ('<spoiler chapter="\u00b2">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler chapter="\u0663">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler chapter="32768">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler chapter="99999999999999999999">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler label="  ">', DEFAULT_SPOILER_LABEL, None),
        ('<spoiler label="' + "x" * 300 + '">', "x" * 120, None),
        ("<spoiler label='a\nb' chapter=12>", "a b", 12),
    ],
)
def test_a_doubtful_scope_hides_the_most(tag, label, chapter):
    (block,) = review_to_stream(f"{tag}Anna lives.</spoiler>")
    assert block["value"]["label"] == label
    assert block["value"]["chapter"] == chapter
    assert block["value"]["spoils"] is None


def test_a_named_book_without_a_finder_is_not_guessed():
    (block,) = review_to_stream('<spoiler book="The Siege">Anna lives.</spoiler>')
    assert block["value"]["spoils"] is None


def test_nested_tags_take_the_outer_scope():
    (block,) = review_to_stream(
        '<spoiler label="Outer" chapter="3">a <spoiler label="Inner" chapter="9">'
        "b</spoiler> c</spoiler>"
    )
    assert block["value"]["label"] == "Outer"
    assert block["value"]["chapter"] == 3
    assert "b" in block["value"]["content"][0]["value"]


@pytest.mark.parametrize(
    ("review", "text"),
    [
        (
            "Read [b:The Siege|123|The Siege (The Siege, #1)|Helen Dunmore|"
            "https://i.gr-assets.com/x.jpg|1] first.",
            "<p>Read The Siege first.</p>",
        ),
        (
            "By [a:Helen Dunmore|456|Helen Dunmore|https://x/y.jpg].",
            "<p>By Helen Dunmore.</p>",
        ),
        ("By [a:Helen Dunmore|456].", "<p>By Helen Dunmore.</p>"),
        ("Not a link: [b:no bar].", "<p>Not a link: [b:no bar].</p>"),
    ],
)
def test_goodreads_link_markup_becomes_plain_text(review, text):
    assert review_to_stream(review) == [{"type": "paragraph", "value": text}]


def test_goodreads_link_markup_inside_a_spoiler_stays_hidden():
    stream = review_to_stream("Shown. <spoiler>[b:Anna|1|Anna] lives.</spoiler>")
    assert open_and_hidden(stream) == (["<p>Shown.</p>"], ["<p>Anna lives.</p>"])


def open_and_hidden(stream) -> tuple[list[str], list[str]]:
    shown = [b["value"] for b in stream if b["type"] == "paragraph"]
    hidden = [
        c["value"]
        for b in stream
        if b["type"] == "spoiler"
        for c in b["value"]["content"]
    ]
    return shown, hidden
