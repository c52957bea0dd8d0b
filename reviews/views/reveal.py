"""The reveal endpoint: one hidden block's content, for the reveal script.

A hidden spoiler or gated question is sent as its label, its scope and a
reveal control (see ``reviews/blocks.py``). Without JavaScript the control
reloads the page with ``?reveal=<block id>``; with it, the script asks this
view for the block's content alone and puts it in place.

The answer depends only on the page and the block, never on who asks: it is
rendered for a reader who knows nothing but asked for this one block, so it
is shared by the page cache (``reviews.response_cache.pages``) like any anonymous page.
That is why only live pages without view restrictions answer; a draft, a
restricted page, an unknown page and an unknown block are the same 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from wagtail.models import Page

from ..blocks import READER_CONTEXT_KEY, REVEAL_PATH_CONTEXT_KEY, revealable_blocks
from ..spoilers import Reader
from ..visibility import public_pages


@require_safe
def reveal_block(request: HttpRequest, page_id: int, block_id: UUID) -> HttpResponse:
    page = _public_live_page(page_id)
    wanted = str(block_id)
    child = _find_block(page, wanted)
    if child is None:
        raise Http404("No such block.")
    context: dict[str, Any] = {
        "request": request,
        "page": page,
        # The same for everyone: nothing read, this one block asked for.
        READER_CONTEXT_KEY: Reader(revealed=frozenset({wanted})),
        REVEAL_PATH_CONTEXT_KEY: page.url,
    }
    response = HttpResponse(
        child.block.render_content(child.value, context),
        content_type="text/html; charset=utf-8",
    )
    # A fragment of a page, not a page: no search engine should list it.
    response["X-Robots-Tag"] = "noindex"
    return response


def _public_live_page(page_id: int) -> Page:
    page = public_pages(Page.objects.live().filter(pk=page_id)).first()
    if page is None:
        raise Http404("No such page.")
    return page.specific


def _find_block(page: Page, block_id: str):
    for child in revealable_blocks(page):
        if child.id.lower() == block_id:
            return child
    return None
