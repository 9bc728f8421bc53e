"""The public read side's only door to the stores: releases in force, and the files of those releases.

``PublishedData`` is built from the platform and keeps it to itself. What it hands out is what is published:
release handles in force at a moment no later than now, the provider versions a release is made of, and the
paths of their files, each checked against the releases it issued. No submission, draft or other version
can be named through it, so the catalog, the explorer and the public JSON and SDMX answers, which are given
only this, cannot read unpublished data (``tests/test_architecture.py`` keeps the rest of the
public side from importing the records or the platform).
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pivgm.errors import PivgmError
from pivgm.model.releases import ProviderInfo, ReleaseInfo, VersionInfo
from pivgm.settings import Settings
from pivgm.structures import Standard
from pivgm.warehouse import ReleaseReader

if TYPE_CHECKING:
    from pivgm.platform import Platform

PAGE_STORE = "releases/.profiles"
"""Where pages computed from the releases in force are kept (``web/profile_store.py``), next to the releases."""


class UnpublishedReadError(PivgmError):
    """A release handle the door did not issue as published (a bug in the caller, never a user's doing)."""

    status_code = 500
    code = "unpublished-read"


class PublishedData:
    """Published releases of one platform, for the public read side."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._issued: dict[int, datetime] = {}  # release id -> when it takes effect
        self._members: dict[int, frozenset[int]] = {}  # release id -> its version ids
        self._lock = threading.Lock()

    @property
    def standard(self) -> Standard:
        return self._platform.standard

    @property
    def settings(self) -> Settings:
        return self._platform.settings

    @property
    def reader(self) -> ReleaseReader:
        return self._platform.reader

    def now(self) -> datetime:
        return self._platform.clock()

    def releases(self, at: datetime | None = None) -> dict[str, ReleaseInfo]:
        """The release in force for each dataflow at ``at`` (never later than now: no embargoed release)."""
        now = self.now()
        found = self._platform.records.published_releases(now if at is None or at > now else at)
        with self._lock:
            self._issued.update((release.id, release.published_at) for release in found.values())
        return found

    def next_release_time(self, after: datetime) -> datetime | None:
        """When the next embargoed release takes effect (its time only: its contents stay out of reach)."""
        return self._platform.records.next_release_time(after)

    def release_file(self, release: ReleaseInfo) -> Path:
        """The Parquet snapshot of a release handed out by ``releases``."""
        self._check(release)
        return self._platform.warehouse.path(release.parquet_file)

    def page_store(self) -> Path:
        """The folder of pages computed from published releases, kept by publication state."""
        return self._platform.warehouse.path(PAGE_STORE)

    def members(self, release: ReleaseInfo) -> list[VersionInfo]:
        """The provider versions a published release is made of."""
        self._check(release)
        versions = self._platform.records.release_versions(release.id)
        with self._lock:
            self._members[release.id] = frozenset(version.id for version in versions)
        return versions

    def member_file(self, release: ReleaseInfo, version: VersionInfo) -> Path:
        """The Parquet file of one of ``release``'s member versions (as listed by ``members``)."""
        self._check(release)
        with self._lock:
            members = self._members.get(release.id)
        if members is None or version.id not in members:
            raise UnpublishedReadError(f"Version {version.id} is not part of release {release.id}.")
        return self._platform.warehouse.path(version.parquet_file)

    def accepted_warnings(self, release: ReleaseInfo, version: VersionInfo) -> dict[str, int] | None:
        """The warnings (rule -> count) accepted when one of ``release``'s member versions was validated as a
        submission; None for a version loaded from a source or a pull."""
        self.member_file(release, version)  # refuses a version outside the releases in force
        submission = self._platform.submissions.of_version(version.id)
        if submission is None:
            return None
        rules = submission.report.get("rules", [])
        return {str(r["type"]): int(r["count"]) for r in rules if r.get("severity") == "warning"}

    def providers(self) -> list[ProviderInfo]:
        """The registered data providers (their names only)."""
        return self._platform.records.providers()

    def _check(self, release: ReleaseInfo) -> None:
        with self._lock:
            takes_effect = self._issued.get(release.id)
        if takes_effect is None or takes_effect != release.published_at or takes_effect > self.now():
            raise UnpublishedReadError(f"Release {release.id} of {release.dataflow_id} is not a published release.")
