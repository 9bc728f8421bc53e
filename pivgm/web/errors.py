"""One error shape for every endpoint: ``{"error": {"code", "message", ...}}`` with the right status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pivgm.errors import PivgmError

log = logging.getLogger(__name__)


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **details}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PivgmError)
    async def domain_error(_: Request, error: PivgmError) -> JSONResponse:
        return JSONResponse(error.to_dict(), status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"parameter": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"]}
            for e in error.errors()
        ]
        first = problems[0] if problems else {"parameter": "", "message": "invalid request"}
        message = f"Parameter {first['parameter']!r}: {first['message']}."
        return JSONResponse(error_body("invalid-parameter", message, problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
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
