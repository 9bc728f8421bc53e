"""The interactive API documentation (Swagger UI), its one inline script allowed by a per-request nonce."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from pivgm.web.headers import content_security_policy

router = APIRouter(include_in_schema=False)
SWAGGER_CDN = "https://cdn.jsdelivr.net"


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} · docs")
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    policy = content_security_policy(scripts=f"'self' 'nonce-{nonce}' {SWAGGER_CDN}", extra=f" {SWAGGER_CDN}")
    return HTMLResponse(html, headers={"Content-Security-Policy": policy.replace("img-src 'self'", "img-src *")})
