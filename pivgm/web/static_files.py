"""Static files served from a gzip twin (``name.gz``, written once at set-up) when the browser accepts gzip,
so large vendor files (Vega, the world atlas) are not compressed again on every request."""

from __future__ import annotations

import os
import stat
from urllib.parse import parse_qs

from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from pivgm.web.assets import IMMUTABLE, fingerprint


class PrecompressedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await self._compressed_or_plain(path, scope)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        if response.status_code == 200 and asked and asked == fingerprint(path):
            response.headers["cache-control"] = IMMUTABLE  # the address names this exact content
        return response

    async def _compressed_or_plain(self, path: str, scope: Scope) -> Response:
        if "gzip" in Headers(scope=scope).get("accept-encoding", ""):
            full_path, found = self.lookup_path(path + ".gz")
            if found is not None and stat.S_ISREG(found.st_mode):
                response = self.file_response(full_path, found, scope)
                response.headers["content-encoding"] = "gzip"
                response.headers["vary"] = "Accept-Encoding"
                if response.status_code == 200:
                    response.media_type = None
                    response.headers["content-type"] = _media_type(path)
                return response
        return await super().get_response(path, scope)


def _media_type(path: str) -> str:
    extension = os.path.splitext(path)[1]
    return {
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".css": "text/css; charset=utf-8",
    }.get(extension, "application/octet-stream")
