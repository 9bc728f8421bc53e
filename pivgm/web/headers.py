"""Headers every answer carries: who may cache it (and on what it varies), and what browsers may do with it.

One ASGI middleware decides for every route, so a new route cannot forget. Security headers: a Content
Security Policy that runs scripts from this site only (no inline script, no eval) and lets no other site
frame the page (a route may set its own policy: the embed view lets any site frame it, the API docs page
allows its script by nonce), ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy``, and
``Strict-Transport-Security`` when the request came over https or the deployment says it sits behind TLS
(``PIVGM_SECURE_COOKIES``). Caching: an answer is private
(``Cache-Control: private, no-store``) when the request carries credentials or any cookie, when the answer
sets a cookie, when it is not a plain successful read (or a 304 validating one), or when its route said so;
otherwise it is public for a short while. Every dynamic answer varies on ``Cookie``, ``Authorization`` and
``Accept-Language`` (the language comes from ``?lang``, the ``lang`` cookie or the browser's preference).
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE = "private, no-store"
PUBLIC = "public, max-age=60"  # data change only at release times; a minute of staleness is acceptable
STATIC = "public, max-age=3600"
STATIC_PREFIX = "/static/"
VARY = ("Cookie", "Authorization", "Accept-Language")
READS = ("GET", "HEAD")
HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"


def content_security_policy(frame_ancestors: str = "'none'", scripts: str = "'self'", extra: str = "") -> str:
    """The policy: everything from this site; styles may be inline (charts set them), scripts never."""
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'{extra}; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}"
    )


DEFAULT_POLICY = content_security_policy()


def protection(secure: bool, response: MutableHeaders) -> None:
    """Security headers every answer carries (a route's own policy is kept)."""
    response.setdefault("content-security-policy", DEFAULT_POLICY)
    if "frame-ancestors 'none'" in response["content-security-policy"]:
        response.setdefault("x-frame-options", "DENY")  # for browsers without CSP frame-ancestors
    response["x-content-type-options"] = "nosniff"
    response.setdefault("referrer-policy", REFERRER_POLICY)
    if secure:
        response["strict-transport-security"] = HSTS


def is_private(method: str, request: Headers, status: int, response: Headers) -> bool:
    """Whether an answer may depend on who asked, or changes something: then no cache may keep it."""
    route_said = response.get("cache-control", "")
    return (
        method not in READS
        or "authorization" in request
        or "cookie" in request
        or "set-cookie" in response
        or not (200 <= status < 300 or status == 304)  # a 304 stands for the public answer it validates
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


NUL_ERROR = {
    "error": {
        "code": "invalid-parameter",
        "message": "The address holds a NUL byte (%00), which no path or parameter may contain; remove it.",
    }
}


def has_nul(scope: Scope) -> bool:
    """Whether the path or query string holds a NUL byte (file systems and PostgreSQL refuse them)."""
    return (
        "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b"")
    )


class ResponseHeaders:
    """ASGI middleware applying :func:`caching` and :func:`protection` to every HTTP answer (streamed too),
    and refusing (400) addresses with a NUL byte before any route sees them; ``behind_tls``: the
    deployment serves https through a proxy (HSTS even on a plain-http hop)."""

    def __init__(self, app: ASGIApp, behind_tls: bool = False) -> None:
        self.app = app
        self.behind_tls = behind_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                caching(scope["path"], scope["method"], request, message["status"], response)
                protection(self.behind_tls or scope.get("scheme") == "https", response)
            await send(message)

        if has_nul(scope):
            await JSONResponse(NUL_ERROR, status_code=400)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
