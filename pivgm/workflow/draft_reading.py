"""Reading a national account's own unpublished data beside the published data (SDMX ``includeDrafts=true``).

This is the one read path that opens versions outside the releases in force, so it lives on the supply side
and is created only for a query that asks for drafts, after the asker is identified: 401 without a national
account's API token, 403 (audited) for an account without a national role. The public read side (catalog,
explorer, JSON and SDMX answers) never holds one; it reads through ``pivgm.catalog.published`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

from pivgm.accounts.actor import Actor
from pivgm.accounts.audit import audit
from pivgm.catalog import Catalog
from pivgm.catalog.sdmx_data import Snapshot, pick_providers, published_snapshot
from pivgm.errors import NotFoundError, PermissionDeniedError
from pivgm.model import Dataflow
from pivgm.model.releases import VersionInfo
from pivgm.platform import Platform
from pivgm.sdmx.errors import UnauthorizedError
from pivgm.warehouse import series as warehouse_series
from pivgm.workflow.review import DRAFT_READERS, counts_as_draft, draft_providers

NEEDS_TOKEN = (
    "includeDrafts=true adds a national account's own unpublished data, so it needs that account's API token: "
    "send it as `Authorization: Bearer pivgm_...` (a national submitter or approver creates one at "
    "/account/tokens after signing in). Remove includeDrafts (or set includeDrafts=false) to read the "
    "published data, which need no token."
)


def _needs_national_role(actor: Actor) -> str:
    roles = " or ".join(role.value for role in DRAFT_READERS)
    return (
        f"includeDrafts=true adds a national account's own unpublished data, and {actor.username} holds no national "
        f"role ({roles} for a provider), so there are no drafts of theirs to add. Remove includeDrafts to read the "
        "published data; submissions under review are at /submissions and /api/submissions."
    )


class DraftReading:
    """The release in force with each of ``providers``' published version replaced by its newest version that
    still counts as a draft (``counts_as_draft``); other providers' data stay as published."""

    def __init__(self, platform: Platform, providers: frozenset[str]) -> None:
        self._platform = platform
        self.providers = providers

    @classmethod
    def for_actor(cls, platform: Platform, actor: Actor, dataflow_id: str) -> DraftReading:
        """Draft reading for ``actor``'s national providers, or the 401/403 that refuses it."""
        if actor.is_anonymous:
            raise UnauthorizedError(NEEDS_TOKEN, parameter="includeDrafts")
        providers = draft_providers(actor)
        if not providers:
            audit(
                platform,
                actor,
                "permission.denied",
                f"dataflow:{dataflow_id}",
                {"action": "read-drafts", "needs": [role.value for role in DRAFT_READERS]},
            )
            raise PermissionDeniedError(_needs_national_role(actor), parameter="includeDrafts")
        if not actor.via_token:
            raise UnauthorizedError(NEEDS_TOKEN, parameter="includeDrafts")
        return cls(platform, providers)

    def _own_drafts(self, dataflow_id: str, published: Sequence[VersionInfo]) -> list[VersionInfo]:
        """For each provider, its newest version that counts as a draft, if newer than its ``published`` one."""
        now = self._platform.clock()
        in_force = {v.provider_id: v.id for v in published}
        decided: set[str] = set()
        drafts: list[VersionInfo] = []
        for found in self._platform.records.reviewed_versions(dataflow_id, sorted(self.providers)):  # newest first
            version = found.version
            if version.provider_id in decided or not counts_as_draft(
                found.state, found.last_action, found.release_at, now
            ):
                continue
            decided.add(version.provider_id)
            if version.id > in_force.get(version.provider_id, 0):
                drafts.append(version)
        return sorted(drafts, key=lambda v: v.provider_id)

    def snapshot(self, catalog: Catalog, dataflow: Dataflow, wanted: Sequence[str]) -> Snapshot:
        """What a selection of ``wanted`` providers reads; the public snapshot when no draft is newer than
        what is published (or none is among the ``wanted`` providers)."""
        release = catalog.releases().get(dataflow.id)
        members = catalog.published.members(release) if release else []
        drafts = self._own_drafts(dataflow.id, members)
        if not drafts and release is None:
            raise NotFoundError(
                f"Dataflow {dataflow.id!r} has no published data yet, and {'+'.join(sorted(self.providers))} no "
                "unpublished version of it.",
                dataflow=dataflow.id,
            )
        replaced = {v.provider_id for v in drafts}
        versions = sorted(
            [*(v for v in members if v.provider_id not in replaced), *drafts], key=lambda v: v.provider_id
        )
        chosen = pick_providers(versions, wanted, dataflow.id)
        shown = tuple(v.provider_id for v in drafts if v in chosen)
        if not shown:
            return published_snapshot(catalog, dataflow, wanted)
        files = warehouse_series.VersionFiles(tuple(self._platform.warehouse.path(v.parquet_file) for v in chosen))
        changed = max([v.loaded_at for v in drafts] + ([release.published_at] if release else []))
        return Snapshot(files, (), tuple(v.provider_id for v in chosen), release, changed, shown)
