"""What a browser gets instead of a JSON error: the sign-in page (and back), or an error page it can read."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from pivgm.web.i18n import messages
from pivgm.web.security import SESSION_COOKIE, safe_next

API_PREFIXES = ("/api/", "/sdmx/", "/static/")


def is_browser_page(request: Request) -> bool:
    """A request for a page by a browser: it accepts HTML, sends no API token, and is not for the JSON API."""
    if request.url.path.startswith(API_PREFIXES) or request.headers.get("authorization"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _coming_from(request: Request) -> str:
    """Where to come back to after signing in: this page for a GET, the form's page for a POST."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))


def sign_in_again(request: Request) -> str:
    """The sign-in page, saying the session expired when the browser still holds a session cookie."""
    expired = "&expired=1" if request.cookies.get(SESSION_COOKIE) else ""
    return f"/login?next={quote(_coming_from(request), safe='')}{expired}"


def error_key(status_code: int, code: str) -> str:
    """The message that explains an error: one for its code when the catalogue has it, else its status."""
    catalogue = messages()
    for key in (f"error_{code}", f"error_status_{status_code}"):
        if key in catalogue:
            return key
    return "error_status_400" if status_code < 500 else "error_status_500"


def error_page(request: Request, status_code: int, code: str) -> HTMLResponse:
    from pivgm.web.rendering import render  # rendering reads the header's menu, which needs the security module

    return render(
        request, "error.html", "/api/dataflows", status_code=status_code, message_key=error_key(status_code, code)
    )
