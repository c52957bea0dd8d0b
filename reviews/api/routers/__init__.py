"""The club's v3 routers, one module per resource."""

from __future__ import annotations

from ..problems import Problem

#: Error responses the club's endpoints document (RFC 9457 problem details,
#: :mod:`reviews.api.problems`; a bad value is a 400).
READ_ERRORS = {400: Problem, 404: Problem}
WRITE_ERRORS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
}
