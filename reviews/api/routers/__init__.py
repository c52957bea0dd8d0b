"""The club's v3 routers, one module per resource."""

from __future__ import annotations

from ..problems import ProblemDetail

#: Error responses the club's endpoints document (RFC 9457 problem details,
#: :mod:`reviews.api.problems`; a bad value is a 400).
READ_ERRORS = {400: ProblemDetail, 404: ProblemDetail}
WRITE_ERRORS = {
    400: ProblemDetail,
    401: ProblemDetail,
    403: ProblemDetail,
    404: ProblemDetail,
}
