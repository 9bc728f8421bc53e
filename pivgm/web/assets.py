"""Front-end files taken from npm packages (installed by the set-up, never from a CDN).

``python -m pivgm.web.assets`` copies them from ``node_modules`` into ``static/vendor``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

STATIC_VENDOR = Path(__file__).resolve().parent / "static" / "vendor"

VENDOR_FILES = {
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
    "world-atlas/countries-50m.json": "countries-50m.json",
}


def missing_assets() -> list[str]:
    return [name for name in VENDOR_FILES.values() if not (STATIC_VENDOR / name).exists()]


def copy_assets(node_modules: Path) -> None:
    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in VENDOR_FILES.items():
        path = node_modules / source
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `npm ci` in the project root first.")
        shutil.copyfile(path, STATIC_VENDOR / target)


if __name__ == "__main__":
    copy_assets(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("node_modules"))
