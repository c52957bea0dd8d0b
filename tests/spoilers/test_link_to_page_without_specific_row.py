"""A link the editor's one-link fallback reads, to a page whose specific
row is gone, opens in the admin editor as the page it is, as the lookup of
a text's links together reads it.

The pages of a text are looked up together only for links spelled as
Wagtail's pattern reads them (``linktype="page" id="…"``); any other
spelling (upper-case attribute names, single quotes, no quotes) is looked
up on its own when the converter meets it. That lookup writes the link's
URL from ``page.specific``, which raises ``ReviewPage.DoesNotExist`` for a
page whose ``reviews_reviewpage`` row is missing (a record removed since,
as Wagtail's "Specific versions ... could not be found" warning describes).
Wagtail's handler caught it (the specific model's ``DoesNotExist`` is a
``Page.DoesNotExist``). In the edit view the template swallows the error
(``silent_variable_failure``): the page is a 200 with no form fields at
all, title, summary and body gone, and any other caller of the conversion
fails.
"""

import pytest
from django.db import connection
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from reviews.roles import MEMBERS, ensure_groups
from reviews.visibility import reading_as
from tests.factories import make_review, review_index, user_in
from tests.spoilers.helpers import link_data, paragraph_contentstates

pytestmark = pytest.mark.django_db

SPELLINGS = [
    '<a LINKTYPE="page" ID="{pk}">Gone</a>',
    "<a linktype='page' id='{pk}'>Gone</a>",
    "<a linktype=page id={pk}>Gone</a>",
]


def _page_without_specific_row() -> int:
    target = make_review(title="Half gone", slug="half-gone")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM reviews_reviewpage WHERE page_ptr_id = %s", [target.pk]
        )
    return target.pk


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_editor_opens_a_review_linking_to_a_page_without_its_specific_row(
    client, spelling
):
    gone = _page_without_specific_row()
    member = user_in(ensure_groups(review_index())[MEMBERS], "ola")
    mine = make_review(
        title="Mine",
        slug="mine-links-half-gone",
        owner=member,
        reviewer=member,
        live=False,
    )
    link = spelling.format(pk=gone)
    mine.body = [{"type": "paragraph", "value": f'<p data-block-key="k1">{link}</p>'}]
    mine.save_revision()

    client.force_login(member)
    response = client.get(f"/admin/pages/{mine.pk}/edit/")

    assert response.status_code == 200
    contentstates = paragraph_contentstates(response.content.decode())
    assert len(contentstates) == 1, "the edit form is rendered without its fields"
    (data,) = link_data(contentstates[0])
    assert data["id"] == gone


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_one_link_lookup_of_a_page_without_its_specific_row_does_not_fail(
    spelling,
):
    gone = _page_without_specific_row()
    member = user_in(ensure_groups(review_index())[MEMBERS], "pia")
    stored = '<p data-block-key="k1">' + spelling.format(pk=gone) + "</p>"
    with reading_as(member):
        (data,) = link_data(
            ContentstateConverter(["link"]).from_database_format(stored)
        )
    assert data["id"] == gone
