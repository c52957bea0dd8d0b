"""The club's admin: books and reading progress under one menu."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Book, ReadingProgress


class BookViewSet(SnippetViewSet):
    model = Book
    icon = "doc-full"
    menu_label = _("Books")
    list_display = ["title", "author", "isbn13", "published_year", "chapter_count"]
    list_filter = ["author"]
    search_fields = ["title", "author", "isbn13"]
    ordering = ["title"]


class ReadingProgressViewSet(SnippetViewSet):
    model = ReadingProgress
    icon = "list-ul"
    menu_label = _("Reading progress")
    list_display = ["member", "book", "chapter", "finished", "updated_at"]
    list_filter = ["finished"]
    search_fields = ["book__title", "member__username"]
    panels = [
        FieldPanel("member"),
        FieldPanel("book"),
        FieldPanel("chapter"),
        FieldPanel("finished"),
        FieldPanel("started_at"),
        FieldPanel("finished_at"),
    ]


class BookClubViewSetGroup(SnippetViewSetGroup):
    items = (BookViewSet, ReadingProgressViewSet)
    menu_icon = "doc-full-inverse"
    menu_label = _("Book club")
    menu_name = "bookclub"


register_snippet(BookClubViewSetGroup)
