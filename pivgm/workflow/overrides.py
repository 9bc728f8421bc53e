"""Publishing a version from the command line: by the review rules, or by an administrator's recorded override.

``publish`` takes the review step ``publish`` on the submission that loaded the version (its state must be
``approved_regional`` and the actor a regional reviewer, as on the web). With a ``reason``, an administrator
publishes any version at once: the submission (if any) moves to ``published`` with a ``publish-override``
event carrying the reason, and the audit row ``release.override`` records it, in the same commit as the
release. Both go through ``publishing.commit``, so neither can lose another publication.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pivgm.accounts.actor import Actor, Role
from pivgm.accounts.audit import audit, event
from pivgm.accounts.clock import utc_now
from pivgm.errors import InvalidParameterError, PermissionDeniedError
from pivgm.platform import Platform
from pivgm.records import NewRelease, StateChange, SubmissionInfo
from pivgm.workflow.deriving import deriver_of
from pivgm.workflow.profiles import prepare_profiles
from pivgm.workflow.publishing import Seam, commit, no_seam, publisher_of
from pivgm.workflow.transitions import take_step

OVERRIDE = "publish-override"


def publish(
    platform: Platform,
    actor: Actor,
    version_id: int,
    reason: str = "",
    release_at: datetime | None = None,
    seam: Seam = no_seam,
) -> SubmissionInfo | None:
    """Publish ``version_id``; the submission that loaded it after the step (None for a source's version)."""
    version = publisher_of(platform).version(version_id)
    submission = platform.submissions.of_version(version.id)
    if not reason.strip():
        if submission is None:
            raise InvalidParameterError(
                f"Version {version.id} was loaded from {version.source!r}, not submitted for review: only an "
                "administrator's override (--override-reason) can publish it.",
                parameter="reason",
            )
        return take_step(platform, actor, submission.id, "publish", release_at=release_at, seam=seam)
    target = f"version:{version.id}"
    if not actor.has(Role.ADMINISTRATOR):
        audit(platform, actor, "permission.denied", target, {"action": OVERRIDE, "reason": reason})
        raise PermissionDeniedError(
            f"{actor.username} is not an administrator: publishing outside the review steps is an "
            "administrator's override. Take the review steps instead (`pivgm review`).",
            role=Role.ADMINISTRATOR.value,
        )
    publisher = publisher_of(platform)

    def details(release: NewRelease) -> dict[str, object]:
        return {
            "reason": reason,
            "dataflow": version.dataflow_id,
            "provider": version.provider_id,
            "submission": submission.id if submission else None,
            "from": submission.status if submission else None,
            "release_rows": release.row_count,
            "release_at": release.published_at.isoformat() if release.published_at else None,
        }

    def write(release: NewRelease) -> SubmissionInfo | None:
        entry = event(actor, "release.override", target, details(release), at=utc_now())
        if submission is None:
            platform.records.record_release(version.dataflow_id, release, entry)
            return None
        change = StateChange(
            submission.id, submission.status, "published", actor.username, OVERRIDE, reason, release, entry
        )
        return platform.submissions.apply_transition(change)

    moment = release_at.astimezone(UTC) if release_at else None
    published = commit(lambda: publisher.publication(version.id, moment), write, seam)
    at = platform.records.last_release_time(version.dataflow_id)
    deriver_of(platform).after_release(version.dataflow_id, at, actor)
    prepare_profiles(platform, moment)
    return published
