"""The admin forms of the club's pages and books.

Wagtail reads a page type's or a snippet's admin form from the model
(``base_form_class``), but models import no forms: :func:`use_club_page_forms`
sets it when the app is ready, before any admin view builds an edit
handler."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.images import get_image_model

from .media_visibility import unseen_references, visible_media
from .members import display_name, may_choose_reviewer, member_names, reviewer_choices
from .models import Book, DiscussionPage, ReviewPage
from .object_ids import as_id

#: The end of an image chooser's name in a posted StreamField: the club's
#: image blocks hold Wagtail's ``ImageBlock``, whose chooser is ``image``.
IMAGE_CHOOSER = "-image-image"


class ReviewPageForm(WagtailAdminPageForm):
    """A member's review is their own: the reviewer field is offered only to
    those who may publish the review (editors), with the members who may
    write reviews as choices. For anyone else it is left out of the form and
    the review is saved with them as its reviewer.

    The body may use only images and documents the user may see
    (:mod:`reviews.media_visibility`): the chooser lists no others, and an id
    typed or replayed by hand is refused without naming the item."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("reviewer")
        if field is None or self.for_user is None:
            return
        review = self.instance if self.instance.pk else None
        parent = self.parent_page or (review.get_parent() if review else None)
        if may_choose_reviewer(self.for_user, review=review, parent=parent):
            field.queryset = reviewer_choices(parent, self.instance.reviewer_id)
            field.label_from_instance = display_name
        else:
            del self.fields["reviewer"]

    def full_clean(self) -> None:
        # Before the blocks read the body: a chosen image the user may not
        # use is blanked in the data, or a form that comes back with any
        # error (its own, or another block's) shows it in its chooser, by
        # title, with a thumbnail made for it that anyone may then download.
        # An id that does not exist, or that no image can have, is refused
        # alike: the block would drop the one and fail on the other.
        self._refused_images = self._chosen_images_refused() if self.is_bound else []
        if self._refused_images:
            self._blank(self._refused_images)
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if "reviewer" not in self.fields and self.for_user is not None:
            self.instance.reviewer = self.for_user
        body = cleaned_data.get("body")
        if self._refused_images or (
            body is not None
            and unseen_references(body, self.for_user, already=self.instance.body)
        ):
            self.add_error(
                "body",
                _(
                    "The body uses an image or document that does not exist or "
                    "that you may not use. Choose it again from the chooser."
                ),
            )
        return cleaned_data

    def _chosen_images(self) -> dict[str, Any]:
        """The body's image choosers in the posted data: key → value."""
        prefix = f"{self.add_prefix('body')}-"
        posted: Any = self.data
        return {
            key: value
            for key, value in posted.items()
            if key.startswith(prefix)
            and key.endswith(IMAGE_CHOOSER)
            and value not in (None, "")
        }

    def _chosen_images_refused(self) -> list[str]:
        """The keys of :meth:`_chosen_images` whose image the user may not
        use: hidden from them and not already in the stored body (an editor
        may have put it there), missing, or no image's id at all."""
        model = get_image_model()
        chosen = {
            key: as_id(value, model) for key, value in self._chosen_images().items()
        }
        wanted = {pk for pk in chosen.values() if pk is not None}
        usable = self._stored_images() | set(
            visible_media(
                model.objects.filter(pk__in=wanted), self.for_user
            ).values_list("pk", flat=True)
            if wanted
            else ()
        )
        return [key for key, pk in chosen.items() if pk is None or pk not in usable]

    def _stored_images(self) -> set[int]:
        """The images the review's stored body uses."""
        body = self.instance.body if self.instance.pk else None
        if not body:
            return set()
        model = get_image_model()
        references = body.stream_block.extract_references(body)
        return {
            pk
            for found, object_id, _path, _content in references
            if issubclass(found, model) and (pk := as_id(object_id, model)) is not None
        }

    def _blank(self, keys: list[str]) -> None:
        posted: Any = self.data
        refreshed: Any = posted.copy()
        for key in keys:
            refreshed[key] = ""
        # Through setattr: assigned here, mypy would take ``data`` as this
        # class's own attribute and lose its type from Django's form.
        setattr(self, "data", refreshed)  # noqa: B010


class BookForm(WagtailAdminModelForm):
    """A book's admin form: one message a field. The model's own check of a
    blank title or author ran on a field the form had already refused, and
    said so after it ("This field is required. A book needs an author.", or
    "A book needs a title." after a title's length)."""

    def _post_clean(self) -> None:
        refused = {name: len(errors) for name, errors in self._errors.items()}
        super()._post_clean()
        for name, count in refused.items():
            del self._errors[name][count:]


class SuggestingTextInput(forms.TextInput):
    """A text input that suggests ``suggestions`` as one types (an HTML
    ``datalist``) and still takes any text."""

    def __init__(self, suggestions: list[str], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.suggestions = suggestions

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-suggestions"
        attrs["list"] = list_id
        options = format_html_join(
            "", '<option value="{}"></option>', ((s,) for s in self.suggestions)
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class DiscussionPageForm(WagtailAdminPageForm):
    """The host is typed, so that a guest may host too; the members' names
    are suggested as every page shows them (:func:`member_names`), so a
    member who hosts is named on the discussion page as on their reviews,
    comments and answers, not by a first name of the editor's choosing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("host")
        if field is not None:
            field.widget = SuggestingTextInput(member_names(), field.widget.attrs)
            field.help_text = _(
                "Who leads the discussion: a member's name as the club shows it "
                "(suggested as you type), or a guest's."
            )


def use_club_page_forms() -> None:
    """Make the admin edit each club page type, and books, with its form."""
    ReviewPage.base_form_class = ReviewPageForm
    DiscussionPage.base_form_class = DiscussionPageForm
    Book.base_form_class = BookForm
