"""What the browser tests ask of a page: accessibility, layout, logging in."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
#: axe-core's impact levels that fail the suite.
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """Run the vendored axe-core on ``page``; the violations of ``impacts``.

    axe runs its default rule set (WCAG 2.x A and AA plus best practices)
    against the page as rendered, colours and all.
    """
    # Wagtail's userbar (shown to logged-in editors and members) brings its
    # own, older axe-core; run the vendored one in every case.
    if page.evaluate("() => window.axe && window.axe.version") != AXE_VERSION:
        page.add_script_tag(path=str(AXE_JS))
    assert page.evaluate("() => window.axe.version") == AXE_VERSION
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    """A readable list: rule, impact, help, and the offending elements."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def open_all_details(page) -> None:
    """Open every ``<details>`` and reveal every hidden block (the page is
    sent without their content) so that hidden content is checked too."""
    page.evaluate(
        "() => document.querySelectorAll('details').forEach(d => d.open = true)"
    )
    for button in page.locator("button.spoiler__reveal").all():
        if button.get_attribute("aria-expanded") == "false":
            button.click()
            expect(button).to_have_attribute("aria-expanded", "true")


LAYOUT_PROBE = (Path(__file__).parent / "layout_probe.js").read_text()
#: The password tests.factories.UserFactory gives every user.
PASSWORD = "password"


def layout_report(page, min_text_px: float = 14) -> dict:
    """Measure horizontal overflow and text sizes as the browser laid them out."""
    return page.evaluate(LAYOUT_PROBE, min_text_px)


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the club's own login form, as a member would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def log_in_to_admin(page, base_url: str, username: str, password: str = PASSWORD):
    """Log in through the Wagtail admin's sign-in form."""
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/admin/")


# The Wagtail admin. Locators go by roles and labels, as a screen reader
# user would find things; a few fall back to Wagtail's own data attributes
# where the admin offers nothing else (the chooser modal, Draftail's input).


def chooser_modal(page):
    """Wagtail's chooser modal (images, snippets), once it is open."""
    modal = page.locator(".modal[role=dialog]")
    modal.wait_for()
    return modal


def choose_in_modal(page, link_text: str) -> None:
    """Pick ``link_text`` from an open chooser modal and wait for it to close."""
    modal = chooser_modal(page)
    modal.get_by_role("link", name=link_text, exact=True).click()
    modal.wait_for(state="hidden")


def insert_block(page, scope, block_label: str, which: int = -1):
    """Open a StreamField's "Insert a block" menu in ``scope`` and pick one."""
    page_buttons = scope.get_by_role("button", name="Insert a block")
    button = page_buttons.last if which == -1 else page_buttons.nth(which)
    button.click()
    page.get_by_role("option", name=block_label, exact=True).click()


def type_rich_text(page, scope, text: str) -> None:
    """Type into the last rich text (Draftail) editor in ``scope`` and wait
    until the form holds the text.

    Draftail writes to its hidden input a moment after the last keystroke;
    submitting before then would save the block empty.
    """
    from playwright.sync_api import expect

    editor = scope.locator("[role=textbox][contenteditable=true]").last
    editor.click()
    page.keyboard.type(text)
    hidden = editor.locator(
        "xpath=ancestor::*[@data-streamfield-widget][1]/input[@type='hidden']"
    )
    expect(hidden).to_have_value(re.compile(re.escape(text)))


def run_page_action(page, name: str) -> None:
    """Click an action in the editor's footer (Publish, Submit…), opening
    the "More actions" menu when the action lives there, and wait for the
    form to be submitted and the next page to load."""
    action = page.get_by_role("button", name=name, exact=True)
    if not action.is_visible():
        page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        action.click()


def admin_messages(page) -> str:
    """The admin's success or error messages at the top of the page."""
    return page.locator(".messages").inner_text()
