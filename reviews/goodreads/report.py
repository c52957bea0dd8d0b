"""What an import did: counts, notes and the rows it could not import."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from .rows import RowError

__all__ = ["ImportReport", "RowError", "RowNote"]

_UNCHANGED = ngettext_lazy(
    "%(n)d unchanged since the last import",
    "%(n)d unchanged since the last import",
    "n",
)
_WITH_ERRORS = ngettext_lazy("%(n)d with errors", "%(n)d with errors", "n")
_BOOKS_CREATED = ngettext_lazy("%(n)d new book", "%(n)d new books", "n")
_BOOKS_MATCHED = ngettext_lazy(
    "%(n)d book already in the club", "%(n)d books already in the club", "n"
)
_REVIEWS_CREATED = ngettext_lazy("%(n)d new review", "%(n)d new reviews", "n")
_REVIEWS_UPDATED = ngettext_lazy("%(n)d review updated", "%(n)d reviews updated", "n")
_REVIEWS_PUBLISHED = ngettext_lazy(
    "%(n)d review published", "%(n)d reviews published", "n"
)
_REVIEWS_KEPT = ngettext_lazy(
    "%(n)d review edited since, left alone",
    "%(n)d reviews edited since, left alone",
    "n",
)
_PROGRESS_SAVED = ngettext_lazy(
    "%(n)d reading progress saved", "%(n)d reading progress saved", "n"
)
_SERIES_CREATED = ngettext_lazy("%(n)d new series", "%(n)d new series", "n")
_SERIES_PLACED = ngettext_lazy(
    "%(n)d book placed in a series", "%(n)d books placed in a series", "n"
)


_NOT_COUNTED = frozenset({"member", "dry_run", "publish", "fatal"})


@dataclass(frozen=True)
class RowNote:
    """Something the member should know about a row that did import."""

    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run."""

    member: str
    dry_run: bool = False
    publish: bool = False
    rows_read: int = 0
    rows_imported: int = 0
    rows_unchanged: int = 0
    books_created: int = 0
    books_matched: int = 0
    reviews_created: int = 0
    reviews_updated: int = 0
    reviews_published: int = 0
    reviews_kept: int = 0
    progress_saved: int = 0
    series_created: int = 0
    series_placed: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fatal: str | None = None

    @property
    def ok(self) -> bool:
        """True when at least one row is in the club (imported now or before)."""
        return self.fatal is None and self.rows_imported > 0

    def summary(self) -> str:
        """One line: the rows, then only what actually happened."""
        if self.fatal:
            return _("Nothing imported: %(reason)s") % {"reason": self.fatal}
        head = ngettext(
            "Imported %(n)d of %(total)d row",
            "Imported %(n)d of %(total)d rows",
            self.rows_read,
        ) % {"n": self.rows_imported, "total": self.rows_read}
        if self.dry_run:
            head = _("Dry run, nothing saved. %(head)s") % {"head": head}
        counts = [
            (self.rows_unchanged, _UNCHANGED),
            (len(self.errors), _WITH_ERRORS),
            (self.books_created, _BOOKS_CREATED),
            (self.books_matched, _BOOKS_MATCHED),
            (self.reviews_created, _REVIEWS_CREATED),
            (self.reviews_updated, _REVIEWS_UPDATED),
            (self.reviews_published, _REVIEWS_PUBLISHED),
            (self.reviews_kept, _REVIEWS_KEPT),
            (self.progress_saved, _PROGRESS_SAVED),
            (self.series_created, _SERIES_CREATED),
            (self.series_placed, _SERIES_PLACED),
        ]
        details = [str(message % {"n": n}) for n, message in counts if n]
        return f"{head}: {', '.join(details)}." if details else f"{head}."

    def checkpoint(self) -> dict[str, int]:
        """The counts and list lengths now, to :meth:`restore` if a row whose
        changes were counted rolls back."""
        return {
            f.name: (
                len(getattr(self, f.name))
                if isinstance(getattr(self, f.name), list)
                else getattr(self, f.name)
            )
            for f in fields(self)
            if f.name not in _NOT_COUNTED
        }

    def restore(self, checkpoint: dict[str, int]) -> None:
        for name, value in checkpoint.items():
            current = getattr(self, name)
            if isinstance(current, list):
                del current[value:]
            else:
                setattr(self, name, value)

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda error: error.line)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, to keep with a background import's job."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("errors", "notes"):
                value = [
                    {
                        k: v if isinstance(v, int) else str(v)
                        for k, v in vars(item).items()
                    }
                    for item in value
                ]
            elif f.name == "warnings":
                value = [str(warning) for warning in value]
            elif isinstance(value, str) or (
                value is not None and not isinstance(value, (bool, int))
            ):
                value = str(value)
            data[f.name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        values["errors"] = [RowError(**error) for error in data.get("errors", [])]
        values["notes"] = [RowNote(**note) for note in data.get("notes", [])]
        return cls(**values)
