"""The admin editor's link to a page names its parent only where the reader
may be told of the parent.

A Site's root page below an unpublished folder stays listed (Wagtail serves
a site whatever lies above its root; reviews.visibility carves Sites' trees
out of an unpublished branch), and the APIs show that root with
``"parent": null``. A link to it in a member's review opened in the admin
editor as ``{"id": <root>, "url": …, "parentId": <the folder's id>}``: the
id of an unpublished page the member may not be told of, both where the
pages of a text are looked up together and where one link is looked up on
its own.
"""

import pytest
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.models import Page, Site

from reviews.roles import MEMBERS, ensure_groups
from reviews.visibility import reading_as
from tests.factories import make_review, review_index, site_root, user_in

from .helpers import link_data, paragraph_contentstates

pytestmark = pytest.mark.django_db


def _site_root_below_an_unpublished_folder() -> tuple[Page, Page]:
    folder = Page(title="Folder of plans", slug="folder-of-plans")
    site_root().add_child(instance=folder)
    folder.save_revision().publish()
    other_root = Page(title="Club B home", slug="club-b-home")
    Page.objects.get(pk=folder.pk).add_child(instance=other_root)
    other_root.save_revision().publish()
    Site.objects.create(hostname="b.example", port=80, root_page_id=other_root.pk)
    Page.objects.get(pk=folder.pk).unpublish()
    return Page.objects.get(pk=folder.pk), Page.objects.get(pk=other_root.pk)


def test_the_editor_names_no_unpublished_parent_of_a_linked_site_root(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "b.example"]
    folder, other_root = _site_root_below_an_unpublished_folder()
    # The APIs keep the folder out of the root's representation.
    shown = client.get(f"/api/v3/pages/{other_root.pk}/", HTTP_HOST="b.example")
    assert shown.status_code == 200 and shown.json()["meta"]["parent"] is None

    member = user_in(ensure_groups(review_index())[MEMBERS], "ola")
    mine = make_review(
        title="Mine",
        slug="mine-links-site-b",
        owner=member,
        reviewer=member,
        live=False,
    )
    link = f'<a linktype="page" id="{other_root.pk}">B</a>'
    mine.body = [{"type": "paragraph", "value": f'<p data-block-key="k1">{link}</p>'}]
    mine.save_revision()

    client.force_login(member)
    response = client.get(f"/admin/pages/{mine.pk}/edit/")
    assert response.status_code == 200
    (contentstate,) = paragraph_contentstates(response.content.decode())
    (data,) = link_data(contentstate)
    assert data["id"] == other_root.pk  # the member may be told of the root
    assert data["url"] == "http://b.example/"
    assert data["parentId"] is None, "the unpublished folder's id is sent"


def test_the_one_at_a_time_path_names_no_unpublished_parent_either(settings):
    """The same conversion outside ``page_links_looked_up`` (Wagtail's
    contentstate converter called directly, as code other than the widget
    does), where the handler falls back to Wagtail's ``get_attribute_data``."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "b.example"]
    folder, other_root = _site_root_below_an_unpublished_folder()
    member = user_in(ensure_groups(review_index())[MEMBERS], "pia")
    link = f'<a linktype="page" id="{other_root.pk}">B</a>'
    stored = f'<p data-block-key="k1">{link}</p>'
    with reading_as(member):
        (data,) = link_data(
            ContentstateConverter(["link"]).from_database_format(stored)
        )
    assert data["id"] == other_root.pk
    assert data["parentId"] is None


def test_a_link_to_a_listed_page_keeps_its_parent():
    """The chooser opens a link's page among its siblings."""
    member = user_in(ensure_groups(review_index())[MEMBERS], "ria")
    target = make_review(title="Open", slug="open-target")
    stored = f'<p data-block-key="k1"><a linktype="page" id="{target.pk}">O</a></p>'
    with reading_as(member):
        (data,) = link_data(
            ContentstateConverter(["link"]).from_database_format(stored)
        )
    assert data["id"] == target.pk
    assert data["parentId"] == review_index().pk
