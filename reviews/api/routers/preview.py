"""``/api/v3/preview/``: the draft an editor is previewing, for the frontend.

No bearer token is needed: the short-lived signed preview token is the
permission (see reviews.preview). A bearer token still says who reads it,
as on every club read: spoilers open as far as that member has read.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ...models import DiscussionPage, ReviewPage, SeriesPage
from ...preview import PreviewTokenError, page_from_preview_token
from .. import representations
from ..auth import READ_AUTH
from ..params import ReaderParams, reject_unknown_params
from ..problems import Problem
from ..querysets import prepare_streams
from ..schemas import DiscussionSchema, PreviewPageSchema, ReviewSchema, SeriesSchema
from .series import RichTextParams

router = Router(tags=["preview"], auth=READ_AUTH)


class PreviewParams(Schema):
    token: str = Field(min_length=1, max_length=2000)


@router.get(
    "/",
    response={
        200: ReviewSchema | SeriesSchema | DiscussionSchema | PreviewPageSchema,
        400: Problem,
        403: Problem,
    },
    url_name="club_preview",
    operation_id="club_preview",
    summary="The page being previewed",
)
def get_preview(
    request: HttpRequest,
    response: HttpResponse,
    params: Query[PreviewParams],
    rich_text: Query[RichTextParams],
    reader: Query[ReaderParams],
):
    reject_unknown_params(request, PreviewParams, RichTextParams)
    response["Cache-Control"] = "private, no-store"  # a draft: never shared
    try:
        page = page_from_preview_token(params.token)
    except PreviewTokenError as error:
        raise HttpError(403, str(error)) from error
    if isinstance(page, ReviewPage):
        prepare_streams([page], "body")
        return representations.review_item(request, page)
    if isinstance(page, SeriesPage):
        return representations.series_item(request, page)
    if isinstance(page, DiscussionPage):
        return representations.discussion_item(request, page)
    return {
        "id": page.pk,
        "title": page.title,
        "meta": representations.page_meta(request, page, None),
    }
