"""axe-core finds no serious or critical problem on the club's pages, for a
visitor or a logged-in member, on a desktop or a phone; each page is saved as
a screenshot for people to look at."""

import pytest

from tests.browser.conftest import club_pages
from tests.browser.helpers import axe_violations, describe_violations, open_all_details

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "mobile"])
def test_club_pages_have_no_serious_accessibility_violations(
    new_context, live_server, club, audience, screenshot, mobile
):
    page = new_context(mobile=mobile).new_page()
    audience(page, live_server.url)
    size = "mobile" if mobile else "desktop"
    suffix = "-member" if audience.member else ""
    found = {}
    for name, path in club_pages(club, member=audience.member).items():
        page.goto(live_server.url + path)
        screenshot(page, f"{name}-{size}{suffix}")
        # Spoilers, gated questions and comments are checked open too: their
        # content must be as readable as the rest once a reader opens them.
        open_all_details(page)
        violations = axe_violations(page)
        if violations:
            found[name] = describe_violations(violations)
    assert not found, "\n".join(f"{name}:\n{text}" for name, text in found.items())
