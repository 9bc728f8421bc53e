"""One error shape for every endpoint: ``{"error": {"code", "message", ...}}`` with the right status.

Browsers asking for a page (not ``/api/...`` nor ``/sdmx/...``) get a page instead: the sign-in page (and
back) when a session is needed or has expired, else an error page in their language.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pivgm.errors import AuthenticationRequiredError, PivgmError
from pivgm.web.browser_pages import error_page, is_browser_page, sign_in_again

log = logging.getLogger(__name__)


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **details}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PivgmError)
    async def domain_error(request: Request, error: PivgmError) -> Response:
        if is_browser_page(request):
            if isinstance(error, AuthenticationRequiredError):
                return RedirectResponse(sign_in_again(request), status_code=303)
            return error_page(request, error.status_code, error.code)
        return JSONResponse(error.to_dict(), status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if is_browser_page(request):
            return error_page(request, 422, "invalid-parameter")
        problems = [
            {"parameter": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"]}
            for e in error.errors()
        ]
        first = problems[0] if problems else {"parameter": "", "message": "invalid request"}
        message = f"Parameter {first['parameter']!r}: {first['message']}."
        return JSONResponse(error_body("invalid-parameter", message, problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if is_browser_page(request):
            return error_page(request, error.status_code, "not-found" if error.status_code == 404 else "http-error")
        code = "not-found" if error.status_code == 404 else "http-error"
        message = f"No page or endpoint at {request.url.path}." if error.status_code == 404 else str(error.detail)
        return JSONResponse(error_body(code, message), status_code=error.status_code)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            error_body("internal-error", "Unexpected error; it has been logged. Please report it."),
            status_code=500,
        )
