"""The admin's "Import from Goodreads": editors upload a member's export."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import PageLogEntry

from reviews.goodreads.admin_views import MAX_UPLOAD_SIZE
from reviews.models import Book, GoodreadsImportJob, ReviewPage, SeriesPage
from tests.factories import UserFactory
from tests.goodreads.conftest import shared_indexes

from .helpers import book_row, export_csv

pytestmark = pytest.mark.django_db

indexes = shared_indexes()

URL = "/admin/goodreads-import/"


def admin_user(username: str, *codenames: str):
    user = UserFactory(username=username)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin",
                               codename="access_admin"),
        *Permission.objects.filter(codename__in=codenames),
    )  # fmt: skip
    return user


@pytest.fixture
def editor(indexes, editor):
    """An editor as ``setup_roles`` makes them (books, and publishing pages),
    with the indexes an import writes under."""
    return editor


def upload(text: str, name: str = "goodreads_library_export.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def post_import(client, django_capture_on_commit_callbacks):
    """Upload as the admin does, let the (immediate) task run once the upload
    commits, and follow the redirect to the import's page."""

    def post(data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        if response.status_code != 302:
            return response
        return client.get(response["Location"])

    return post


def test_an_editor_imports_a_members_export_and_sees_the_report(
    client, editor, reader, post_import
):
    client.force_login(editor)
    data = export_csv(
        [book_row("Among Others", My_Rating=5, My_Review="Books! <spoiler>Mor"
                  "wenna wins.</spoiler>"),
         book_row("Nameless", My_Rating="7")]
    )  # fmt: skip

    response = post_import({"file": upload(data), "member": reader.pk})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Import report for Rita Reader" in page
    assert "Imported 1 of 2 rows" in page
    assert "<td>3</td><td>My Rating: &#x27;7&#x27; is not a rating" in page
    assert "Morwenna" not in page  # the report never shows review text
    review = ReviewPage.objects.get()
    assert review.owner == reader and not review.live


def test_publish_and_dry_run_checkboxes(client, editor, reader, post_import):
    client.force_login(editor)
    data = export_csv([book_row("Farthing", My_Review="Chilling.")])

    response = post_import({"file": upload(data), "member": reader.pk, "dry_run": "on"})
    assert "Dry run report: nothing was saved" in response.content.decode()
    assert not Book.objects.exists()

    post_import({"file": upload(data), "member": reader.pk, "publish": "on"})
    review = ReviewPage.objects.get()
    assert review.live
    assert review.live_revision.user == reader  # the member's words…
    entry = PageLogEntry.objects.get(page=review, action="wagtail.publish")
    assert entry.user == editor  # …published by the editor


def test_an_editor_who_may_not_publish_is_told_before_anything_happens(
    client, reader, post_import
):
    cataloguer = admin_user("cataloguer", "add_book")
    client.force_login(cataloguer)
    data = export_csv([book_row("Farthing (Small Change, #1)", My_Review="Chilling.")])

    response = client.post(
        URL, {"file": upload(data), "member": reader.pk, "publish": "on"}
    )

    assert "You may not publish reviews" in response.content.decode()
    assert not Book.objects.exists()
    assert not GoodreadsImportJob.objects.exists()
    post_import({"file": upload(data), "member": reader.pk})
    assert not ReviewPage.objects.get().live
    # A new series is catalogue, like the book: whoever may add books adds it.
    assert SeriesPage.objects.get(title="Small Change").live


def test_the_form_shows_the_page_and_its_help(client, editor):
    client.force_login(editor)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Import from Goodreads" in page
    assert 'enctype="multipart/form-data"' in page
    assert "up to 10.0\xa0MB" in page


def test_a_file_that_is_not_csv_is_refused(client, editor, reader):
    client.force_login(editor)

    response = client.post(
        URL, {"file": upload("x", name="library.xlsx"), "member": reader.pk}
    )

    assert response.status_code == 200
    assert "Choose the .csv file Goodreads exported." in response.content.decode()
    assert not Book.objects.exists()


def test_a_file_over_the_limit_is_refused(client, editor, reader):
    client.force_login(editor)
    big = export_csv([book_row("Big")]) + " " * MAX_UPLOAD_SIZE

    response = client.post(URL, {"file": upload(big), "member": reader.pk})

    assert "the limit is 10.0\xa0MB" in response.content.decode()
    assert not Book.objects.exists()


def test_a_file_that_is_no_export_shows_why_nothing_was_imported(
    client, editor, reader, post_import
):
    client.force_login(editor)

    response = post_import(
        {"file": upload("name,email\nA,a@example.org\n"), "member": reader.pk}
    )

    assert "Nothing imported: The export lacks required column(s): Title, Author." in (
        response.content.decode()
    )


def test_members_without_editor_rights_get_403(client, reader):
    member = admin_user("member_in_admin")
    client.force_login(member)

    response = client.get(URL)
    assert response.status_code == 403
    assert "Only editors may import Goodreads exports." in response.content.decode()
    data = export_csv([book_row("Farthing")])
    response = client.post(URL, {"file": upload(data), "member": member.pk})
    assert response.status_code == 403
    assert not Book.objects.exists()
    assert not GoodreadsImportJob.objects.exists()


def test_the_menu_item_is_shown_to_editors_only(client, editor):
    member = admin_user("member_in_admin")

    client.force_login(editor)
    assert URL in client.get("/admin/").content.decode()
    client.force_login(member)
    assert URL not in client.get("/admin/").content.decode()


def test_visitors_are_sent_to_the_login(client, indexes):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_upload_is_stored_and_enqueued_then_the_report_appears(
    client, editor, reader, settings, django_capture_on_commit_callbacks
):
    # A queue nobody works on yet: the upload must come back at once.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    from django_tasks import default_task_backend

    client.force_login(editor)
    data = export_csv([book_row("Among Others", My_Rating=5), book_row("Nameless",
                       My_Rating="7")])  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": upload(data), "member": reader.pk})

    job = GoodreadsImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{job.pk}/"
    assert bytes(job.source) == data.encode()
    assert (job.member, job.requested_by, job.status) == (reader, editor, "queued")
    assert not Book.objects.exists()  # nothing ran inside the request
    [result] = default_task_backend.results
    assert result.task.name == "run_import" and result.kwargs == {"job_id": job.pk}

    waiting = client.get(response["Location"]).content.decode()
    assert "The import is waiting to start." in waiting
    assert 'http-equiv="refresh"' in waiting

    from reviews.goodreads.tasks import run_import

    run_import.call(job_id=job.pk)  # what the worker does

    page = client.get(response["Location"]).content.decode()
    assert "Import report for Rita Reader" in page
    assert "Imported 1 of 2 rows" in page
    assert "<td>3</td><td>My Rating: &#x27;7&#x27; is not a rating" in page
    assert 'http-equiv="refresh"' not in page
    assert Book.objects.get().title == "Among Others"
    job.refresh_from_db()
    assert job.status == "done" and job.finished_at is not None
    # The form page lists it.
    assert f"{URL}{job.pk}/" in client.get(URL).content.decode()


def test_a_failing_import_is_recorded_with_its_file_not_a_500(
    client, editor, reader, post_import, monkeypatch
):
    from reviews.goodreads import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "import_export", broken)
    client.force_login(editor)
    data = export_csv([book_row("Farthing")])

    response = post_import({"file": upload(data), "member": reader.pk})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The import failed" in page
    assert "RuntimeError: database went away" in page
    job = GoodreadsImportJob.objects.get()
    assert job.status == "failed" and job.report is None
    assert bytes(job.source) == data.encode()  # nothing the editor sent is lost


def test_a_job_runs_once_even_if_enqueued_twice(client, editor, reader, post_import):
    from reviews.goodreads.tasks import run_import

    client.force_login(editor)
    post_import(
        {"file": upload(export_csv([book_row("Farthing")])), "member": reader.pk}
    )
    job = GoodreadsImportJob.objects.get()
    finished_at = job.finished_at

    run_import.call(job_id=job.pk)
    run_import.call(job_id=job.pk + 1000)  # a job that is gone

    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_only_editors_see_an_imports_page(client, editor, reader, post_import):
    client.force_login(editor)
    post_import(
        {"file": upload(export_csv([book_row("Farthing")])), "member": reader.pk}
    )
    job_url = f"{URL}{GoodreadsImportJob.objects.get().pk}/"

    client.force_login(admin_user("member_in_admin"))
    response = client.get(job_url)
    assert response.status_code == 403
    assert "Farthing" not in response.content.decode()
    client.logout()
    assert client.get(job_url).status_code == 302
    client.force_login(editor)
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.get(job_url).status_code == 200


def test_an_imports_page_says_when_it_was_uploaded_in_one_sentence(
    client, editor, reader, post_import
):
    """It read "uploaded 07/12/2026 12:03 p.m.." (the short format's own
    full stop, then the sentence's): the site writes dates out."""
    client.force_login(editor)
    post_import(
        {"file": upload(export_csv([book_row("Farthing")])), "member": reader.pk}
    )
    job = GoodreadsImportJob.objects.get()
    html = client.get(f"{URL}{job.pk}/").content.decode()

    from django.utils import timezone

    uploaded = timezone.localtime(job.created_at)
    assert f", uploaded {uploaded:%-d %B %Y, %H:%M}." in html
    assert ".." not in html.split(", uploaded ", 1)[1].split("</p>", 1)[0]
