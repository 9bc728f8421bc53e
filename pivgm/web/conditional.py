"""HTTP validators for public answers of the read API: ``ETag`` and ``Last-Modified``, and 304 Not Modified.

Public data change only when something is published, so one validator serves every public answer: a tag of
the releases in force (``Catalog.publication_state``) and of what the request varies on (its path and query,
``Accept``, ``Accept-Language``). A publication changes every ``ETag``; a draft changes none. A repeated
request with ``If-None-Match`` (or, without it, ``If-Modified-Since`` at or after the latest publication) is
answered 304 with no body, before any query runs.

Only public answers get validators: a request with credentials or cookies, or asking for drafts, is neither
given an ``ETag`` nor answered 304, and an answer that turned out private (``pivgm.web.headers.is_private``)
gets none either, so no validator ever reflects unpublished data or who asked.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pivgm.catalog.service import Catalog, PublicationState
from pivgm.web.cross_origin import is_public_read
from pivgm.web.headers import PUBLIC, is_private

VALIDATED = ("GET", "HEAD")


def entity_tag(state: PublicationState, scope: Scope, request: Headers) -> str:
    """A weak tag (answers travel compressed or not) of the publication state and of the representation."""
    parts = [
        state.tag,
        scope["path"],
        scope.get("query_string", b"").decode("latin-1"),
        request.get("accept", ""),
        request.get("accept-language", ""),
    ]
    return f'W/"{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:32]}"'


def asks_as_someone(scope: Scope, request: Headers) -> bool:
    """Whether the answer may depend on who asks: credentials, cookies, or a request for drafts."""
    query = scope.get("query_string", b"").lower()
    return "authorization" in request or "cookie" in request or b"includedrafts" in query


def _matches(if_none_match: str, tag: str) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): ``*`` or any listed tag with the same opaque value."""
    opaque = tag.removeprefix("W/")
    listed = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in listed or opaque in listed


def _unmodified_since(if_modified_since: str, last_published: datetime | None) -> bool:
    if last_published is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    return since.tzinfo is not None and last_published.replace(microsecond=0) <= since


def not_modified(request: Headers, tag: str, state: PublicationState) -> bool:
    """Whether the client's copy is current (``If-None-Match`` wins over ``If-Modified-Since``)."""
    if "if-none-match" in request:
        return _matches(request["if-none-match"], tag)
    if "if-modified-since" in request:
        return _unmodified_since(request["if-modified-since"], state.last_published)
    return False


def validators(tag: str, state: PublicationState) -> dict[str, str]:
    headers = {"etag": tag, "cache-control": PUBLIC}
    if state.last_published is not None:
        # PostgreSQL hands back its session's offset; HTTP dates are written in GMT
        headers["last-modified"] = format_datetime(state.last_published.astimezone(UTC), usegmt=True)
    return headers


class ConditionalRequests:
    """ASGI middleware giving public answers of the read API their validators, and answering 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in VALIDATED or not is_public_read(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        if asks_as_someone(scope, request):
            await self.app(scope, receive, send)
            return
        catalog: Catalog = scope["app"].state.catalog
        state = catalog.publication_state()
        tag = entity_tag(state, scope, request)
        if not_modified(request, tag, state):
            headers = {**validators(tag, state), "vary": "Accept"}  # as the answer it stands for
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                if message["status"] == 200 and not is_private(scope["method"], request, 200, response):
                    for name, value in validators(tag, state).items():
                        response.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_validators)
