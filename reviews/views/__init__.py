"""The plugin's own views: members' reading progress and the site search."""

from .reading import my_reading, remove_progress, update_progress
from .search import search

__all__ = ["my_reading", "remove_progress", "search", "update_progress"]
