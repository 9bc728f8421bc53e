"""Front-end files taken from npm packages (installed by the set-up, never from a CDN).

``python -m pivgm.web.assets`` copies them from ``node_modules`` into ``static/vendor``.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

from pivgm.web.atlas import lighten_text

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_VENDOR = STATIC_DIR / "vendor"
# A fingerprinted address (``?v=`` the content hash) never changes meaning: browsers keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"

VENDOR_FILES = {
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
    "world-atlas/countries-50m.json": "countries-50m.json",
    # The explorer's filters update the view in place (see static/js/explorer.js).
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    # The API's interactive documentation at /api/docs (see web/api_docs.py).
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui.css",
    "swagger-ui-dist/favicon-32x32.png": "swagger-favicon-32x32.png",
}


# Files derived from the copied ones: the maps draw a lighter atlas made from the 50m one (see atlas.py).
DERIVED_FILES: dict[str, tuple[str, Callable[[str], str]]] = {"atlas.json": ("countries-50m.json", lighten_text)}


@cache
def fingerprint(name: str) -> str:
    """The content hash of a static file (``css/pivgm.css``); empty when the file does not exist."""
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


def asset_url(name: str) -> str:
    """The address pages use for a static file: ``/static/css/pivgm.css?v=<content hash>``, so a new
    version of the file gets a new address and the old one may be cached for good."""
    version = fingerprint(name)
    return f"/static/{name}?v={version}" if version else f"/static/{name}"


def missing_assets() -> list[str]:
    names = [*VENDOR_FILES.values(), *DERIVED_FILES]
    return [name for name in names if not (STATIC_VENDOR / name).exists()]


def _write(target: Path, content: bytes) -> None:
    """The file and its gzip twin, which the web server sends to browsers that accept gzip."""
    target.write_bytes(content)
    target.with_name(target.name + ".gz").write_bytes(gzip.compress(content, compresslevel=9, mtime=0))


def copy_assets(node_modules: Path) -> None:
    """Copy each file (with a gzip twin), then write the derived files."""
    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in VENDOR_FILES.items():
        path = node_modules / source
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `npm ci` in the project root first.")
        _write(STATIC_VENDOR / target, path.read_bytes())
    for target, (source, derive) in DERIVED_FILES.items():
        text = (STATIC_VENDOR / source).read_text(encoding="utf-8")
        _write(STATIC_VENDOR / target, derive(text).encode("utf-8"))


if __name__ == "__main__":
    copy_assets(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("node_modules"))
