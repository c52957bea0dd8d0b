"""A site whose rich text editor is still Wagtail's own Draftail is warned:
that widget answers a posted value that is not contentstate with a 500."""

from django.test import override_settings

from reviews.checks import check_rich_text_editor
from reviews.rich_text_editor import WIDGET

DRAFTAIL = "wagtail.admin.rich_text.DraftailRichTextArea"


def test_the_sites_editor_passes():
    assert check_rich_text_editor() == []


def test_wagtails_draftail_is_a_warning():
    with override_settings(WAGTAILADMIN_RICH_TEXT_EDITORS={}):
        assert [m.id for m in check_rich_text_editor()] == ["reviews.W005"]
    editors = {"default": {"WIDGET": WIDGET}, "plain": {"WIDGET": DRAFTAIL}}
    with override_settings(WAGTAILADMIN_RICH_TEXT_EDITORS=editors):
        messages = check_rich_text_editor()
    assert [m.id for m in messages] == ["reviews.W005"]
    assert "'plain'" in messages[0].msg


def test_another_editor_is_left_alone():
    editors = {"default": {"WIDGET": "django.forms.Textarea"}}
    with override_settings(WAGTAILADMIN_RICH_TEXT_EDITORS=editors):
        assert check_rich_text_editor() == []
