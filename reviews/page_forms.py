"""The admin forms of the club's pages.

Wagtail reads a page type's admin form from the model (``base_form_class``),
but models import no forms: :func:`use_club_page_forms` sets it when the app
is ready, before any admin view builds an edit handler."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.images import get_image_model

from .media_visibility import unseen_references
from .members import display_name, may_choose_reviewer, reviewer_choices
from .models import ReviewPage

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

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if "reviewer" not in self.fields and self.for_user is not None:
            self.instance.reviewer = self.for_user
        body = cleaned_data.get("body")
        refused = set()
        if body is not None:
            refused = unseen_references(body, self.for_user, already=self.instance.body)
        # An image chosen by an id that does not exist is dropped by the
        # block before this runs: refused alike, or the error would say
        # that a hidden one exists.
        refused |= self._missing_images()
        if refused:
            self.add_error(
                "body",
                _(
                    "The body uses an image or document that does not exist or "
                    "that you may not use. Choose it again from the chooser."
                ),
            )
            self._forget_chosen(refused)
        return cleaned_data

    def _chosen_images(self) -> dict[str, str]:
        """The body's image choosers in the posted data: key → id."""
        prefix = f"{self.add_prefix('body')}-"
        posted: Any = self.data
        return {
            key: value
            for key, value in posted.items()
            if key.startswith(prefix) and key.endswith(IMAGE_CHOOSER) and value
        }

    def _missing_images(self) -> set[str]:
        chosen = set(self._chosen_images().values())
        ids = {value for value in chosen if value.isdigit()}
        found = {
            str(pk)
            for pk in get_image_model()
            .objects.filter(pk__in=ids)
            .values_list("pk", flat=True)
        }
        return chosen - found

    def _forget_chosen(self, refused: set[str]) -> None:
        """Blank the refused choices in the data the form is shown again
        with: the chooser would show each one's title and make it a
        thumbnail, which anyone may then download."""
        posted: Any = self.data
        refreshed: Any = posted.copy()
        for key, value in self._chosen_images().items():
            if value in refused:
                refreshed[key] = ""
        # Through setattr: assigned here, mypy would take ``data`` as this
        # class's own attribute and lose its type from Django's form.
        setattr(self, "data", refreshed)  # noqa: B010


def use_club_page_forms() -> None:
    """Make the admin edit each club page type with its form."""
    ReviewPage.base_form_class = ReviewPageForm
