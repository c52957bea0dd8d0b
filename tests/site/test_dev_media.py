"""What the development server (``make run``, DEBUG) serves of the uploads.

It served the whole of MEDIA_ROOT at /media/, documents included: a
member's document that ``/documents/<id>/<file name>`` answers with a 404
for anyone else (reviews' ``before_serve_document`` hook) was downloaded by
anyone from ``/media/documents/<file name>``. Images are served there, as
their renditions' addresses say; documents only through their own address.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.models import UploadedFile

from bookclub.media import media_urls
from bookclub.urls import urlpatterns as site_urlpatterns
from tests.factories import UserFactory, make_image

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

#: The site's URLconf as the development server has it.
urlpatterns = [*media_urls(), *site_urlpatterns]


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    }
    document = get_document_model()(
        title="Notes", uploaded_by_user=UserFactory(username="dora")
    )
    document.file.save("dora-ending.txt", ContentFile(b"The ending"), save=False)
    document.save()
    return {"document": document, "image": make_image("Harbour")}


@pytest.mark.parametrize(
    "address",
    [
        "/media/documents/dora-ending.txt",
        "/media/./documents/dora-ending.txt",
        "/media//documents/dora-ending.txt",
        "/media/images/../documents/dora-ending.txt",
        "/media/original_images/../documents/dora-ending.txt",
        # Up out of MEDIA_ROOT and back in by its own name.
        "/media/../{root}/documents/dora-ending.txt",
        "/media/images/../../{root}/documents/dora-ending.txt",
    ],
)
def test_a_document_is_not_served_from_its_folder(settings, files, address):
    response = Client().get(address.format(root=settings.MEDIA_ROOT.name))
    assert response.status_code == 404
    assert b"The ending" not in b"".join(getattr(response, "streaming_content", []))


def test_images_are_still_served(files):
    image = files["image"]
    for url in (image.file.url, image.get_rendition("width-100").url):
        assert Client().get(url).status_code == 200, url


def test_an_upload_waiting_for_its_details_is_not_served(files):
    """The multiple upload keeps a file whose form still needs details (a
    collection the member may not add to, a required field) as Wagtail's
    UploadedFile, in its own folder, until the member completes it: nobody
    else may see it, so it is not served from there either."""
    member = UserFactory(username="erin")
    waiting = UploadedFile.objects.create(
        for_content_type=ContentType.objects.get_for_model(get_document_model()),
        file=ContentFile(b"Erin's draft", name="erin-draft.txt"),
        uploaded_by_user=member,
    )
    for address in (
        f"/media/{waiting.file.name}",
        f"/media/images/../{waiting.file.name}",
    ):
        response = Client().get(address)
        assert response.status_code == 404, address
        assert b"Erin's draft" not in b"".join(
            getattr(response, "streaming_content", [])
        )


@pytest.mark.parametrize("address", ["/media/%00", "/media/images/a%00b.png"])
def test_a_nul_in_the_path_is_a_404(files, address):
    assert Client().get(address).status_code == 404
