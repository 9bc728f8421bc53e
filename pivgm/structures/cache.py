"""A parsed copy of the standard kept on disk, so a command need not parse and check its YAML at every start.

The copy starts with a key: the SHA-256 of every file of the standard and of the code that builds and holds
it (``pivgm.structures``, ``pivgm.model``), with the software and Python versions. It is read only under that
same key, so a changed file is always seen: the copy is never stale. A copy made from anything else, or that
cannot be read, is ignored and written again, complete and renamed into place (readers see the old copy or
the new one, never a part). The copy lives in the data folder, which only the platform writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from pivgm import __version__
from pivgm.structures.loader import STRUCTURES_DIR, Standard

CACHE_FILE = "standard.pickle"
MODEL_DIR = Path(__file__).resolve().parent.parent / "model"


def standard_key(directory: Path) -> str:
    """What the parsed standard is made of: the files of ``directory`` and of the code, and the versions."""
    digest = hashlib.sha256(f"pivgm {__version__}; Python {sys.version}; pickle {pickle.HIGHEST_PROTOCOL}".encode())
    for root in dict.fromkeys((directory.resolve(), STRUCTURES_DIR, MODEL_DIR)):
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            content = path.read_bytes()
            digest.update(f"\0{root}\0{path.relative_to(root)}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()


def read_cached(path: Path, key: str) -> Standard | None:
    """The standard in ``path`` if it was written under ``key``; None if absent, made otherwise or unreadable."""
    try:
        with open(path, "rb") as f:
            if f.readline().rstrip(b"\n") != key.encode():
                return None
            standard = pickle.load(f)
    except Exception:  # absent, truncated or corrupt: parsed again and rewritten
        return None
    return standard if isinstance(standard, Standard) else None


def write_cached(path: Path, key: str, standard: Standard) -> None:
    """Write ``standard`` under ``key`` atomically; a folder that cannot be written only means no copy."""
    temporary = path.with_name(f".tmp-{uuid.uuid4().hex}.pickle")
    try:
        path.parent.mkdir(exist_ok=True)
        with open(temporary, "xb") as f:
            f.write(key.encode() + b"\n")
            pickle.dump(standard, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def cached_standard(directory: Path, cache_dir: Path, parse: Callable[[Path], Standard]) -> Standard:
    """The standard of ``directory``: the copy in ``cache_dir`` if made from the same files and code, else
    ``parse(directory)``, then kept there for the next process."""
    key = standard_key(directory)
    path = cache_dir / CACHE_FILE
    standard = read_cached(path, key)
    if standard is None:
        standard = parse(directory)
        write_cached(path, key, standard)
    return standard
