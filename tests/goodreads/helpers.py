"""Goodreads exports written in the real format, for the importer's tests.

``export_csv`` writes rows the way Goodreads does: every column of the chosen
header variant, ISBNs as Excel formulas (``="0141046201"``), dates as
``YYYY/MM/DD``, ``0`` for "no rating".
"""

from __future__ import annotations

import csv
import io
from typing import Any

from reviews.goodreads import EXPORT_COLUMNS
from reviews.goodreads.importer import ImportReport, import_export

COLUMNS_31 = list(EXPORT_COLUMNS)
# The older, shorter header: no Recommended For/By, purchase or condition columns.
COLUMNS_24 = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN",
    "ISBN13", "My Rating", "Average Rating", "Publisher", "Binding",
    "Number of Pages", "Year Published", "Original Publication Year", "Date Read",
    "Date Added", "Bookshelves", "Bookshelves with positions", "Exclusive Shelf",
    "My Review", "Spoiler", "Private Notes", "Read Count", "Owned Copies",
]  # fmt: skip
HEADERS = {"31": COLUMNS_31, "24": COLUMNS_24}

_ids = iter(range(900_001, 10**7))


def book_row(title: str, author: str = "Jo Walton", **columns: Any) -> dict[str, str]:
    """One row as Goodreads writes it; keyword arguments use the column names
    with spaces as underscores (``My_Review="…"``, ``Exclusive_Shelf="to-read"``).
    ``ISBN``/``ISBN13`` are given bare and wrapped like Goodreads does."""
    row = {
        "Book Id": str(next(_ids)),
        "Title": title,
        "Author": author,
        "Author l-f": ", ".join(reversed(author.rsplit(" ", 1))),
        "ISBN": "",
        "ISBN13": "",
        "My Rating": "0",
        "Average Rating": "3.95",
        "Publisher": "Tor Books",
        "Binding": "Paperback",
        "Number of Pages": "320",
        "Year Published": "2011",
        "Original Publication Year": "2011",
        "Date Read": "",
        "Date Added": "2020/01/15",
        "Exclusive Shelf": "read",
        "My Review": "",
        "Spoiler": "",
        "Read Count": "1",
        "Owned Copies": "0",
    }
    for key, value in columns.items():
        row[key.replace("_", " ")] = str(value)
    for column in ("ISBN", "ISBN13"):
        row[column] = f'="{row[column]}"'
    if row["Exclusive Shelf"] != "read":
        row.setdefault("Bookshelves", row["Exclusive Shelf"])
    return row


def export_csv(rows: list[dict[str, str]], header: str = "31") -> str:
    columns = HEADERS[header]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return out.getvalue()


def run_import(
    rows: list[dict[str, str]] | str, member, header: str = "31", **options
) -> ImportReport:
    text = rows if isinstance(rows, str) else export_csv(rows, header)
    return import_export(text.encode(), member, **options)


def stream_without_ids(stream) -> list[dict]:
    """Raw StreamField data with block ids dropped, for comparing bodies."""
    raw = stream if isinstance(stream, list) else list(stream.raw_data)
    out = []
    for block in raw:
        value = block["value"]
        if block["type"] == "spoiler":
            value = {**value, "content": stream_without_ids(value["content"])}
        out.append({"type": block["type"], "value": value})
    return out


def spoiler_texts(stream) -> list[str]:
    return [
        child["value"]
        for block in stream_without_ids(stream)
        if block["type"] == "spoiler"
        for child in block["value"]["content"]
    ]


def open_texts(stream) -> list[str]:
    """Everything in the body outside spoiler blocks."""
    return [
        str(block["value"])
        for block in stream_without_ids(stream)
        if block["type"] != "spoiler"
    ]
