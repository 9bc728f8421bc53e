"""The interactive API documentation (Swagger UI) at ``/api/docs``, served from the package's own static
files (installed from npm by the set-up, see ``assets.py``): the page makes no request outside the server.
Its one inline script (the set-up call) is allowed by a per-request nonce."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from pivgm.web.headers import content_security_policy

OPENAPI_URL = "/api/openapi.json"
VENDOR = "/static/vendor"

router = APIRouter(include_in_schema=False)


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{request.app.title} · docs",
        swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui.css",
        swagger_favicon_url=f"{VENDOR}/swagger-favicon-32x32.png",
        # No call to the public validator service (validator.swagger.io) for a badge.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    policy = content_security_policy(scripts=f"'self' 'nonce-{nonce}'")
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})
