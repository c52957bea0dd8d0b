"""Members record how far they have read, on the book's pages and "My reading"."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reviews.models import ReadingProgress, SeriesPage
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_discussion,
)

from .conftest import shared_review
from .helpers import split_html

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()


def _update_url(book) -> str:
    return reverse("reviews:update_progress", args=(book.pk,))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class TestFormsOnPages:
    def test_review_page_offers_a_form_per_book_it_touches(
        self, client, review, member, siege, betrayal
    ):
        client.force_login(member)
        html = client.get(review.url).content.decode()
        assert f'action="{_update_url(betrayal)}"' in html
        assert f'action="{_update_url(siege)}"' in html, "the spoiled first book"
        assert 'name="csrfmiddlewaretoken"' in html
        assert f'name="next" value="{review.url}"' in html

    def test_visitors_get_a_login_link_instead(self, client, review):
        html = client.get(review.url).content.decode()
        assert "progress-form--visitor" in html
        assert "/accounts/login/?next=%2Freviews%2Fafter-the-siege%2F" in html
        assert "/reading/" not in html

    def test_series_and_discussion_pages_offer_the_form(
        self, client, member, siege, betrayal
    ):
        # The review's series: Leningrad, The Siege then The Betrayal.
        series = SeriesPage.objects.get(entries__book=betrayal)
        discussion = make_discussion(book=siege)
        client.force_login(member)
        series_html = client.get(series.url).content.decode()
        assert f'action="{_update_url(siege)}"' in series_html
        assert f'action="{_update_url(betrayal)}"' in series_html
        discussion_html = client.get(discussion.url).content.decode()
        assert f'action="{_update_url(siege)}"' in discussion_html

    def test_the_form_shows_where_the_member_is(self, client, review, betrayal):
        member = UserFactory(username="progressed")
        ReadingProgressFactory(member=member, book=betrayal, chapter=7)
        client.force_login(member)
        html = client.get(review.url).content.decode()
        assert "You have read up to chapter 7 of 25." in html
        assert 'value="7"' in html

    @pytest.mark.parametrize(
        "recorded",
        [
            {"chapter": None, "finished": True},  # the API, an import, the demo
            {"chapter": 12, "finished": True},  # the API, with a chapter
            "form",
        ],
        ids=["without-chapter", "with-an-earlier-chapter", "form"],
    )
    def test_a_finished_book_is_shown_alike_on_every_page(
        self, client, member, siege, recorded
    ):
        """Finished is every chapter, whichever way it was recorded: the book
        page, its discussion and My reading all show "30 of 30" beside
        "Finished", never an empty or earlier chapter under "100%"."""
        client.force_login(member)
        if recorded == "form":
            client.post(_update_url(siege), {"finished": "on"})
        else:
            ReadingProgressFactory(member=member, book=siege, **recorded)
        discussion = make_discussion(book=siege)
        boxes = {}
        for path in (siege.get_absolute_url(), discussion.url, "/reading/"):
            html = client.get(path).content.decode()
            start = html.index(f'id="progress-{siege.pk}"')
            box = html[start : html.index("</form>", start)]
            assert "You have finished it." in box
            assert 'value="100"' in box
            assert re.search(r'<input type="number" name="chapter" value="30"', box)
            assert re.search(r'name="finished"[^>]* checked', box)
            boxes[path] = re.sub(
                r'name="(next|csrfmiddlewaretoken)" value="[^"]*"', "", box
            )
        # The same box, but for My reading's heading, which its list shows.
        assert boxes[siege.get_absolute_url()] == boxes[discussion.url]
        assert (
            boxes["/reading/"].replace(' class="visually-hidden"', "")
            == (boxes[discussion.url])
        )


class TestSavingProgress:
    def test_saving_redirects_back_with_a_message_and_opens_spoilers(
        self, client, review, member, betrayal
    ):
        client.force_login(member)
        response = client.post(
            _update_url(betrayal), {"chapter": "5", "next": review.url}
        )
        assert response.status_code == 302
        assert response["Location"] == review.url
        assert "The Betrayal, up to chapter 5" in _messages(response)[0]
        progress = ReadingProgress.objects.get(member=member, book=betrayal)
        assert progress.chapter == 5 and not progress.finished
        assert progress.started_at is not None
        api = client.get(f"/api/v2/pages/{review.pk}/").json()
        hidden = {
            b["value"]["label"]: b["value"]["hidden"]
            for b in api["body"]
            if b["type"] == "spoiler"
        }
        assert hidden == {
            "An early turn": False,
            "Late in the book": True,
            "How the first book ends": True,
        }

    def test_updating_keeps_one_row(self, client, member, betrayal):
        client.force_login(member)
        client.post(_update_url(betrayal), {"chapter": "3"})
        client.post(_update_url(betrayal), {"chapter": "9"})
        assert ReadingProgress.objects.filter(member=member).count() == 1
        assert ReadingProgress.objects.get(member=member).chapter == 9

    def test_finished_means_every_chapter(self, client, member, betrayal):
        client.force_login(member)
        client.post(_update_url(betrayal), {"chapter": "2", "finished": "on"})
        progress = ReadingProgress.objects.get(member=member, book=betrayal)
        assert progress.finished
        assert progress.chapter == 25
        assert progress.finished_at is not None

    def test_unticking_finished_keeps_the_last_chapter_shown(
        self, client, member, siege
    ):
        """Finished with no chapter stored, the form shows 30 of 30; sent back
        without "Finished", that is what the member has read."""
        ReadingProgressFactory(member=member, book=siege, finished=True)
        client.force_login(member)
        client.post(_update_url(siege), {"chapter": "30"})
        progress = ReadingProgress.objects.get(member=member, book=siege)
        assert (progress.finished, progress.chapter) == (False, 30)
        html = client.get(siege.get_absolute_url()).content.decode()
        assert "You have read all 30 chapters." in html

    @pytest.mark.parametrize(
        ("chapter", "error"),
        [
            ("26", "only 25 chapters"),
            ("0", "greater than or equal to 1"),
            ("-3", "greater than or equal to 1"),
            ("three", "Enter a whole number"),
            ("9" * 40, "only 25 chapters"),
        ],
    )
    def test_bad_chapters_re_render_the_form_with_errors(
        self, client, member, betrayal, review, chapter, error
    ):
        client.force_login(member)
        response = client.post(
            _update_url(betrayal), {"chapter": chapter, "next": review.url}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert error in html
        assert f'name="next" value="{review.url}"' in html
        assert f'value="{chapter}"' in html, "what the member typed is kept"
        assert not ReadingProgress.objects.filter(member=member).exists()
        # One message, not the database column's "at least 0" beside it.
        assert len(response.context["form"].errors["chapter"]) == 1

    @pytest.mark.parametrize(
        "next_url",
        ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""],
    )
    def test_next_must_stay_on_the_site(self, client, member, betrayal, next_url):
        client.force_login(member)
        response = client.post(
            _update_url(betrayal), {"chapter": "1", "next": next_url}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("reviews:my_reading")

    def test_anonymous_posts_go_to_login_and_save_nothing(
        self, client, betrayal, review
    ):
        response = client.post(
            _update_url(betrayal), {"chapter": "5", "next": review.url}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not ReadingProgress.objects.exists()

    def test_csrf_is_required(self, member, betrayal):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(member)
        response = client.post(_update_url(betrayal), {"chapter": "5"})
        assert response.status_code == 403
        assert not ReadingProgress.objects.exists()

    def test_get_saves_nothing_and_unknown_books_are_404(self, client, member):
        """A GET (the page a refused chapter came back on, reloaded) goes
        back to My reading and records nothing."""
        client.force_login(member)
        book = BookFactory()
        response = client.get(_update_url(book), {"chapter": "3"})
        assert response.status_code == 302
        assert response["Location"] == reverse("reviews:my_reading")
        assert not ReadingProgress.objects.filter(book=book).exists()
        response = client.post(
            reverse("reviews:update_progress", args=(999999,)), {"chapter": "1"}
        )
        assert response.status_code == 404

    def test_a_member_cannot_write_someone_elses_progress(self, client, betrayal):
        other = UserFactory(username="other")
        ReadingProgressFactory(member=other, book=betrayal, chapter=2)
        me = UserFactory(username="me")
        client.force_login(me)
        client.post(_update_url(betrayal), {"chapter": "20", "member": other.pk})
        assert ReadingProgress.objects.get(member=other).chapter == 2
        assert ReadingProgress.objects.get(member=me).chapter == 20


class TestMyReading:
    url = "/reading/"

    def test_needs_a_login(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_lists_only_the_members_books_with_a_form_each(
        self, client, member, siege, betrayal
    ):
        ReadingProgressFactory(member=member, book=siege, finished=True)
        ReadingProgressFactory(member=member, book=betrayal, chapter=4)
        stranger = UserFactory(username="stranger")
        secret_book = BookFactory(title="A Book Only The Stranger Reads")
        ReadingProgressFactory(member=stranger, book=secret_book, chapter=1)
        client.force_login(member)
        response = client.get(self.url)
        html = response.content.decode()
        assert response.status_code == 200
        outside, _, _ = split_html(html)
        assert "The Siege" in outside and "You have finished it." in outside
        assert "You have read up to chapter 4 of 25." in outside
        assert f'action="{_update_url(siege)}"' in html
        assert f'action="{_update_url(betrayal)}"' in html
        assert "A Book Only The Stranger Reads" not in outside.split("Add a book")[0]

    def test_saving_progress_does_not_move_a_book(
        self, client, member, siege, betrayal
    ):
        """The list keeps the order the books were added in: a book saved from
        the list, its own page or the add form stays where the member left it."""
        ReadingProgressFactory(member=member, book=siege, chapter=2)
        ReadingProgressFactory(member=member, book=betrayal, chapter=4)
        client.force_login(member)

        def order() -> list[int]:
            html = client.get(self.url).content.decode()
            found = re.findall(
                r'<form class="progress-form[^"]*" id="progress-(\d+)"', html
            )
            return [int(pk) for pk in found]

        assert order() == [siege.pk, betrayal.pk]
        client.post(_update_url(siege), {"chapter": "5", "next": self.url})
        assert order() == [siege.pk, betrayal.pk]
        client.post(self.url, {"book_choice": siege.pk, "finished": "on"})
        client.post(_update_url(betrayal), {"chapter": "6"})
        assert order() == [siege.pk, betrayal.pk]

    def test_adding_a_book(self, client, member, siege):
        client.force_login(member)
        response = client.post(
            self.url, {"book_choice": siege.pk, "chapter": "3"}, follow=True
        )
        assert response.redirect_chain == [(self.url, 302)]
        assert "Saved: The Siege, up to chapter 3." in response.content.decode()
        assert ReadingProgress.objects.get(member=member, book=siege).chapter == 3

    def test_adding_a_book_already_listed_updates_it(self, client, member, siege):
        ReadingProgressFactory(member=member, book=siege, chapter=2)
        client.force_login(member)
        client.post(self.url, {"book_choice": siege.pk, "finished": "on"})
        progress = ReadingProgress.objects.get(member=member, book=siege)
        assert progress.finished and progress.chapter == 30

    @pytest.mark.parametrize(
        ("data", "error"),
        [
            ({"book_choice": "SIEGE", "chapter": "31"}, "only 30 chapters"),
            ({"chapter": "3"}, "This field is required"),
            ({"book_choice": "999999"}, "Select a valid choice"),
            ({"book_choice": "x"}, "Select a valid choice"),
        ],
    )
    def test_adding_shows_field_errors(self, client, member, siege, data, error):
        client.force_login(member)
        data = {k: v.replace("SIEGE", str(siege.pk)) for k, v in data.items()}
        response = client.post(self.url, data)
        assert response.status_code == 200
        assert error in response.content.decode()
        assert not ReadingProgress.objects.exists()

    def test_removing_a_book(self, client, member, siege):
        ReadingProgressFactory(member=member, book=siege, chapter=2)
        client.force_login(member)
        response = client.post(
            reverse("reviews:remove_progress", args=(siege.pk,)),
            {"next": self.url},
        )
        assert response["Location"] == self.url
        assert not ReadingProgress.objects.exists()
        # The message names the book, which the list no longer shows.
        page = client.get(response["Location"]).content.decode()
        assert f"Removed {siege.title} from your reading." in page

    def test_nav_links_to_my_reading_and_search(self, client, member, review):
        assert 'href="/search/"' in client.get(review.url).content.decode()
        assert 'href="/reading/"' not in client.get(review.url).content.decode()
        client.force_login(member)
        assert 'href="/reading/"' in client.get(review.url).content.decode()
