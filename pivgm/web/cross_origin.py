"""The public read API (SDMX REST and the JSON/CSV data API) for pages on any site, and for HTTP's other reads.

Every answer below :data:`PUBLIC_READ_PREFIXES`, errors included, says ``Access-Control-Allow-Origin: *``
and exposes the headers clients read (validators, paging, drafts). ``OPTIONS`` (a browser's preflight, or
any client asking what is allowed) is answered here with 204, and ``HEAD`` is the ``GET`` answer without its
body, instead of 405. Any origin may read, none with the browser's credentials: ``*`` forbids cookies, so a
page elsewhere reads exactly what an anonymous client reads; a token (drafts) must be sent explicitly.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_READ_PREFIXES = ("/sdmx/rest", "/api/dataflows", "/api/data/")
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Accept-Language, Authorization, If-None-Match, If-Modified-Since, Content-Type"
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Link, X-Total-Count, Content-Disposition, Content-Language, X-PIVGM-Includes-Drafts"
)
PREFLIGHT_SECONDS = "86400"


def is_public_read(path: str) -> bool:
    """Whether ``path`` belongs to the public read API."""
    return path.startswith(PUBLIC_READ_PREFIXES) or path == "/api/data"


def cross_origin(response: MutableHeaders) -> None:
    """Let a page on any origin read the answer and the headers clients use."""
    response["access-control-allow-origin"] = "*"
    response["access-control-expose-headers"] = EXPOSED_HEADERS


def preflight(request: Headers) -> list[tuple[bytes, bytes]]:
    """The headers of the answer to ``OPTIONS``: what may be sent, and for how long a browser may keep that."""
    headers = {
        "allow": ALLOWED_METHODS,
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-allow-headers": request.get("access-control-request-headers") or ALLOWED_HEADERS,
        "access-control-max-age": PREFLIGHT_SECONDS,
        "vary": "Access-Control-Request-Headers",
    }
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class CrossOrigin:
    """ASGI middleware: CORS on the public read API, ``OPTIONS`` answered, ``HEAD`` served as a bodiless
    ``GET``. Other paths pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public_read(scope["path"]):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            await self._options(scope, send)
            return
        head = method == "HEAD"

        async def send_readable(message: Message) -> None:
            if message["type"] == "http.response.start":
                cross_origin(MutableHeaders(scope=message))
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the body is computed (its headers depend on it) but never sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, send_readable)

    async def _options(self, scope: Scope, send: Send) -> None:
        start: Message = {"type": "http.response.start", "status": 204, "headers": preflight(Headers(scope=scope))}
        cross_origin(MutableHeaders(scope=start))
        await send(start)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
