"""The club's v3 routers, one module per resource."""

from __future__ import annotations

from wagtail.api.v3.errors import ProblemDetail

#: Error responses the club's endpoints document (RFC 7807 problem details).
READ_ERRORS = {400: ProblemDetail, 404: ProblemDetail, 422: ProblemDetail}
WRITE_ERRORS = {
    400: ProblemDetail,
    401: ProblemDetail,
    403: ProblemDetail,
    404: ProblemDetail,
    422: ProblemDetail,
}
