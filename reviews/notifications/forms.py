"""The member's email settings page: how and whether, then each follow."""

from __future__ import annotations

from django import forms
from django.forms import modelformset_factory

from ..models import Follow, NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_enabled", "replies", "delivery"]
        widgets = {"delivery": forms.RadioSelect}


class FollowForm(forms.ModelForm):
    """One follow: a book has new reviews and reminders, a discussion has
    replies and its reminder."""

    class Meta:
        model = Follow
        fields = ["new_reviews", "replies", "reminders"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.book_id:
            del self.fields["replies"]
        else:
            del self.fields["new_reviews"]


FollowFormSet = modelformset_factory(Follow, form=FollowForm, extra=0, can_delete=True)
