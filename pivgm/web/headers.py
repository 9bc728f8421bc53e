"""Headers every answer carries: who may cache it (and on what it varies).

One ASGI middleware decides for every route, so a new route cannot forget: an answer is private
(``Cache-Control: private, no-store``) when the request carries credentials or any cookie, when the answer
sets a cookie, when it is not a plain successful read, or when its route said so; otherwise it is public
for a short while. Every dynamic answer varies on ``Cookie``, ``Authorization`` and ``Accept-Language``
(the language comes from ``?lang``, the ``lang`` cookie or the browser's preference).
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE = "private, no-store"
PUBLIC = "public, max-age=60"  # data change only at release times; a minute of staleness is acceptable
STATIC = "public, max-age=3600"
STATIC_PREFIX = "/static/"
VARY = ("Cookie", "Authorization", "Accept-Language")
READS = ("GET", "HEAD")


def is_private(method: str, request: Headers, status: int, response: Headers) -> bool:
    """Whether an answer may depend on who asked, or changes something: then no cache may keep it."""
    route_said = response.get("cache-control", "")
    return (
        method not in READS
        or "authorization" in request
        or "cookie" in request
        or "set-cookie" in response
        or not 200 <= status < 300
        or "private" in route_said
        or "no-store" in route_said
    )


def caching(path: str, method: str, request: Headers, status: int, response: MutableHeaders) -> None:
    """Set ``Cache-Control`` and ``Vary`` on a dynamic answer (static files: a public hour, unless set)."""
    if path.startswith(STATIC_PREFIX):
        response.setdefault("cache-control", STATIC)
        return
    if is_private(method, request, status, response):
        response["cache-control"] = PRIVATE
    else:
        response.setdefault("cache-control", PUBLIC)
    vary(response, VARY)


def vary(response: MutableHeaders, names: tuple[str, ...]) -> None:
    """Add ``names`` to the answer's ``Vary``, keeping what it already varies on (``Accept-Encoding``...)."""
    present = [v.strip() for value in response.getlist("vary") for v in value.split(",") if v.strip()]
    known = {v.lower() for v in present}
    response["vary"] = ", ".join([*present, *(n for n in names if n.lower() not in known)])


class ResponseHeaders:
    """ASGI middleware applying :func:`caching` to every HTTP answer (streamed ones included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                caching(scope["path"], scope["method"], request, message["status"], response)
            await send(message)

        await self.app(scope, receive, send_with_headers)
