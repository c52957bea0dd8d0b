"""On a phone (390×844), the club's pages fit the screen and read comfortably."""

import pytest

from tests.browser.conftest import club_pages
from tests.browser.helpers import layout_report, open_all_details

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: No text a reader must read is smaller than this many CSS pixels.
MIN_TEXT_PX = 14
#: Body text is at least the browser default.
MIN_BODY_PX = 16


def test_pages_fit_a_phone_screen_with_readable_text(
    mobile_page, live_server, club, audience, screenshot
):
    audience(mobile_page, live_server.url)
    suffix = "-member" if audience.member else ""
    problems = []
    for name, path in club_pages(club, member=audience.member).items():
        mobile_page.goto(live_server.url + path)
        for state in ("closed", "open"):
            if state == "open":
                open_all_details(mobile_page)
            report = layout_report(mobile_page, MIN_TEXT_PX)
            where = f"{name} for a {audience.name} ({state} spoilers)"
            if report["clientWidth"] != 390:
                problems.append(
                    f"{where}: laid out {report['clientWidth']}px wide, not at the "
                    "phone's width (viewport meta tag?)"
                )
            if report["scrollWidth"] > report["clientWidth"]:
                problems.append(
                    f"{where}: scrolls sideways ({report['scrollWidth']}px content"
                    f" in {report['clientWidth']}px): {report['overflowing']}"
                )
            elif report["overflowing"]:
                problems.append(f"{where}: cut off: {report['overflowing']}")
            if report["bodyFontSize"] < MIN_BODY_PX:
                problems.append(f"{where}: body text {report['bodyFontSize']}px")
            if report["tiny"]:
                problems.append(
                    f"{where}: text under {MIN_TEXT_PX}px: {report['tiny']}"
                )
        screenshot(mobile_page, f"{name}-mobile-spoilers-open{suffix}")
    assert not problems, "\n".join(problems)
