"""The plugin's own views: members' reading progress and the site search."""

from .exports import reading_export_csv, reading_export_json
from .reading import my_reading, remove_progress, update_progress
from .search import search

__all__ = [
    "my_reading",
    "reading_export_csv",
    "reading_export_json",
    "remove_progress",
    "search",
    "update_progress",
]
