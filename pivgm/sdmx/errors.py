"""SDMX REST errors: each carries its HTTP status and the SDMX error code the standard assigns to it.

Any other ``PivgmError`` raised while answering an SDMX query is mapped to an SDMX code by its status
(``sdmx_code``), so every SDMX response, failed or not, is an SDMX message.
"""

from __future__ import annotations

from typing import Any

from pivgm.errors import PivgmError

# SDMX error code for an HTTP status (SDMX REST, "SDMX to HTTP error mapping").
SDMX_CODES = {
    400: 140,
    401: 110,
    403: 150,
    404: 100,
    406: 1000,
    413: 510,
    422: 140,
    500: 500,
    501: 501,
    503: 503,
}

TITLES = {
    100: "No results found",
    110: "Unauthorized",
    140: "Syntax error",
    150: "Semantic error",
    500: "Internal server error",
    501: "Not implemented",
    503: "Service unavailable",
    510: "Response size exceeds service limit",
    1000: "Not acceptable",
}


class SdmxError(PivgmError):
    """Base of SDMX query errors; ``sdmx_code`` is the code of the SDMX error message."""

    status_code = 400
    sdmx_code = 140
    code = "sdmx-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, **details)


class NoResultsError(SdmxError):
    """The query is valid but selects nothing (unknown artefact, code without data, empty period)."""

    status_code = 404
    sdmx_code = 100
    code = "no-results"


class QuerySyntaxError(SdmxError):
    """The path or a parameter does not follow the SDMX REST syntax."""

    status_code = 400
    sdmx_code = 140
    code = "syntax-error"


class UnauthorizedError(SdmxError):
    """The query needs credentials the request does not carry."""

    status_code = 401
    sdmx_code = 110
    code = "unauthorized"


class NotAcceptableError(SdmxError):
    """The client asked for a representation this service does not produce."""

    status_code = 406
    sdmx_code = 1000
    code = "not-acceptable"


class NotImplementedSdmxError(SdmxError):
    """A resource or option of the SDMX REST API that this service does not implement."""

    status_code = 501
    sdmx_code = 501
    code = "not-implemented"


def sdmx_code(error: PivgmError) -> int:
    """The SDMX error code for any platform error."""
    if isinstance(error, SdmxError):
        return error.sdmx_code
    return SDMX_CODES.get(error.status_code, 500)


def http_status(error: PivgmError) -> int:
    """SDMX answers 400 (not 422) for a malformed query."""
    return 400 if error.status_code == 422 else error.status_code
