"""Country profile pages kept on disk, computed once per publication state for every worker.

A page is kept as what does not depend on the request: the page's body in one language (rendered once) and
its JSON twin, in ``<releases>/.profiles/<state tag>.<code key>/<CODE>.<language>.json`` next to the release
snapshots. The state tag (``Catalog.publication_state``) is made of the releases in force, so the public side,
which only ever sees releases in force, can name no other state's folder: a profile computed in advance for an
embargoed release waits there, unreachable, until its time. The code key is the SHA-256 of the code and files
that make a page (the catalog, the web layer's code, templates and messages, the standard), so a changed
file is a new folder, never a stale page. Requests add the chrome (account
menu, language links, address) each time.

The publishing job computes the region's profiles right after it publishes (``prepare``: workflow/profiles.py).
A state no job prepared (an embargo ending, a new software version, a data folder from before the store) is
computed by whichever worker asks first: a lock file per country and state (``flock``) makes the others wait
for it and read its file, so N workers compute a profile once. Files are written to a temporary name and
renamed, so a reader sees a whole page or none. Only the newest few states are kept on disk, and workers
keep no page in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import cache, partial
from pathlib import Path
from typing import IO, Any

from pivgm.catalog import Catalog
from pivgm.catalog.profiles import country_code
from pivgm.catalog.site import PublicSite
from pivgm.web.i18n import LANGUAGES
from pivgm.web.profile_page import country_page, profile_public
from pivgm.web.rendering import render_fragment

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent.parent
MADE_OF = ("catalog", "model", "structures", "web")  # the code and files a profile page is made of
STATES_KEPT = 3  # the state in force, the one before (workers see a publication within a second), one ahead
STORED, COMPUTED = "stored", "computed"
READABLE = 0o644  # pages hold published figures only
PUBLICATION, REQUEST = "publication", "request"  # who computed a stored page: the publishing job, or a request


@dataclass(frozen=True)
class StoredPage:
    """A country profile in one language as kept: the page's body, its JSON twin, and who computed it."""

    code: str
    name: str
    content: str
    charts: bool
    public: dict[str, Any]
    by: str


Pages = dict[str, StoredPage]  # by language


def formatted(site: PublicSite, code: str, by: str) -> Pages:
    """A country's profile computed from the releases in force, formatted in every language."""
    profile = site.country(code)
    pages = {}
    for language in LANGUAGES:
        page = country_page(profile, language)
        content = render_fragment("country_content.html", language, page=page)
        public = profile_public(profile, language, page)
        pages[language] = StoredPage(page.code, page.name, content, bool(page.blocks), public, by)
    return pages


class ProfileStore:
    """Profile pages by publication state, country and language, in one folder shared by every process."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, tag: str) -> Path:
        return self.root / f"{tag}.{code_key()[:16]}"

    def path(self, tag: str, code: str, language: str) -> Path:
        return self.folder(tag) / f"{code}.{language}.json"

    def read(self, tag: str, code: str, language: str) -> StoredPage | None:
        """The kept page, or None (not computed yet, or unreadable: then it is computed again)."""
        try:
            with self.path(tag, code, language).open(encoding="utf-8") as file:
                return StoredPage(**json.load(file))
        except (OSError, ValueError, TypeError):
            return None

    def page(self, tag: str, code: str, language: str, compute: Callable[[], Pages]) -> tuple[StoredPage, str]:
        """The page of ``code`` in ``language`` for state ``tag``, and how it was had: ``stored:<by>`` (read
        from disk) or ``computed`` (by this call, which keeps it for every worker)."""
        found = self.read(tag, code, language)
        if found is not None:
            return found, f"{STORED}:{found.by}"
        pages, computed = self.ensure(tag, code, compute)
        page = pages[language]
        return page, COMPUTED if computed else f"{STORED}:{page.by}"

    def ensure(self, tag: str, code: str, compute: Callable[[], Pages]) -> tuple[Pages, bool]:
        """Every language's page of ``code`` for ``tag``, computed here (True) unless another process has
        (or is: then this waits for it and reads its files)."""
        pages: Pages | None = None
        try:
            with self._locked(tag, code):
                kept = {language: self.read(tag, code, language) for language in LANGUAGES}
                if all(kept.values()):
                    return {language: page for language, page in kept.items() if page}, False
                pages = compute()
                for language, page in pages.items():
                    self._write(self.path(tag, code, language), page)
                return pages, True
        except OSError as error:  # a full disk, a folder not ours, a state removed meanwhile: served, not kept
            log.warning("the profile of %s could not be kept: %s", code, error)
            return (pages if pages is not None else compute()), True

    @contextlib.contextmanager
    def _locked(self, tag: str, code: str) -> Iterator[None]:
        folder = self.folder(tag)
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            self._prune(keep=folder)
        with (folder / f"{code}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when its process dies
            yield

    def _write(self, path: Path, page: StoredPage) -> None:
        """Written whole under a temporary name, then renamed: a reader never sees part of a page."""
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            os.fchmod(descriptor, READABLE)  # mkstemp's 0600 would hide a job's pages from the server's user
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                _dump(page, file)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _prune(self, keep: Path) -> None:
        """Only the newest states stay on disk (a reader of a removed one computes its page again)."""
        states = sorted(
            (p for p in self.root.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in states[STATES_KEPT - 1 :]:
            shutil.rmtree(old, ignore_errors=True)

    def __repr__(self) -> str:
        return f"ProfileStore({self.root})"


@cache
def code_key() -> str:
    """The SHA-256 of every file pages are made of (static assets aside), computed once per process."""
    digest = hashlib.sha256()
    for part in MADE_OF:
        root = PACKAGE / part
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not {"__pycache__", "static"} & set(p.parts)):
            content = path.read_bytes()
            digest.update(f"\0{path.relative_to(PACKAGE)}\0{len(content)}\0".encode())
            digest.update(content)
    return digest.hexdigest()


def _dump(page: StoredPage, file: IO[str]) -> None:
    """No fsync: a kept page can always be computed again, and the rename alone shows it whole or not at all."""
    json.dump(asdict(page), file, ensure_ascii=False, separators=(",", ":"))


def store_of(catalog: Catalog) -> ProfileStore:
    return ProfileStore(catalog.published.page_store())


def country_page_of(site: PublicSite, store: ProfileStore, code: str, language: str) -> tuple[StoredPage, str]:
    """A country's page for the releases in force, from the store (computed there first if needed)."""
    country = country_code(site.areas, code)  # an unknown code is refused before anything is written
    tag = site.catalog.publication_state().tag
    return store.page(tag, country.id, language, lambda: formatted(site, country.id, REQUEST))


def prepare(catalog: Catalog) -> int:
    """Every region country's pages for the releases in force by ``catalog``'s clock, computed once and kept
    (the publishing job's part, right after it publishes); how many countries were computed here."""
    site, store = PublicSite(catalog), store_of(catalog)
    tag = catalog.publication_state().tag
    region, _ = site.countries()
    computed = 0
    for country in region:
        _, fresh = store.ensure(tag, country.id, partial(formatted, site, country.id, PUBLICATION))
        computed += fresh
    return computed
