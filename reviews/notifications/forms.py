"""The member's email settings page: how and whether, then each follow."""

from __future__ import annotations

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from ..models import Follow, NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_enabled", "replies", "delivery"]
        widgets = {"delivery": forms.RadioSelect}


class FollowForm(forms.ModelForm):
    """One follow: a book has new reviews and reminders, a discussion has
    replies and its reminder. The other kind's field is left out, and with
    it the model's note of which kind each field is for."""

    class Meta:
        model = Follow
        fields = ["new_reviews", "replies", "reminders"]
        help_texts = {"new_reviews": "", "replies": ""}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.book_id:
            del self.fields["replies"]
        else:
            del self.fields["new_reviews"]


class BaseFollowFormSet(BaseModelFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Stop following")


FollowFormSet = modelformset_factory(
    Follow, form=FollowForm, formset=BaseFollowFormSet, extra=0, can_delete=True
)
