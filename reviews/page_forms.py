"""The admin forms of the club's pages.

Wagtail reads a page type's admin form from the model (``base_form_class``),
but models import no forms: :func:`use_club_page_forms` sets it when the app
is ready, before any admin view builds an edit handler."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .media_visibility import unseen_references
from .members import display_name, may_choose_reviewer, reviewer_choices
from .models import ReviewPage


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
        if body is not None and unseen_references(
            body, self.for_user, already=self.instance.body
        ):
            self.add_error(
                "body",
                _(
                    "The body uses an image or document that does not exist or "
                    "that you may not use. Choose it again from the chooser."
                ),
            )
        return cleaned_data


def use_club_page_forms() -> None:
    """Make the admin edit each club page type with its form."""
    ReviewPage.base_form_class = ReviewPageForm
