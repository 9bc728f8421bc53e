"""Taking a review step on a submission: checked, audited, and atomic with its release."""

from __future__ import annotations

from datetime import UTC, datetime

from pivgm.accounts.actor import Actor
from pivgm.accounts.audit import audit
from pivgm.errors import AuthenticationRequiredError, PermissionDeniedError
from pivgm.platform import Platform
from pivgm.records import NewRelease, StateChange, SubmissionInfo
from pivgm.records.repository import ReleaseRaceError
from pivgm.workflow.publishing import publication, withdrawal
from pivgm.workflow.review import State, TransitionNotAllowedError, can_see, check_transition, not_found


def visible_submission(platform: Platform, actor: Actor, submission_id: int) -> SubmissionInfo:
    """The submission if ``actor`` may see it: 401 for anonymous users, 403 (audited) for another country's."""
    if actor.is_anonymous:
        raise AuthenticationRequiredError("Log in to see submissions.")
    submission = platform.submissions.get(submission_id)
    if submission is None:
        raise not_found(submission_id)
    if not can_see(actor, submission.provider_id):
        audit(
            platform,
            actor,
            "permission.denied",
            f"submission:{submission_id}",
            {"action": "view", "provider": submission.provider_id},
        )
        raise PermissionDeniedError(
            f"{actor.username} has no role for provider {submission.provider_id}.",
            provider=submission.provider_id,
        )
    return submission


def is_own(platform: Platform, actor: Actor, submission: SubmissionInfo) -> bool:
    """Whether four eyes keep ``actor`` from approving ``submission``: they uploaded its file, and its
    provider keeps four eyes (the default)."""
    provider = platform.standard.providers.get(submission.provider_id)
    if actor.user_id is None or (provider is not None and not provider.four_eyes):
        return False
    return submission.created_by is not None and submission.created_by == actor.username


RELEASE_ATTEMPTS = 5


def _release_for(
    platform: Platform, action: str, submission: SubmissionInfo, release_at: datetime | None
) -> NewRelease | None:
    """The new release a publication or a withdrawal makes; other steps make none."""
    if submission.version_id is None or action not in ("publish", "withdraw"):
        return None
    if action == "publish":
        return publication(platform, submission.version_id, release_at.astimezone(UTC) if release_at else None)
    return withdrawal(platform, submission.version_id)


def take_step(
    platform: Platform,
    actor: Actor,
    submission_id: int,
    action: str,
    comment: str = "",
    release_at: datetime | None = None,
) -> SubmissionInfo:
    """Apply one review transition; publication and withdrawal build the dataflow's new release first."""
    submission = visible_submission(platform, actor, submission_id)
    target = f"submission:{submission_id}"
    try:
        own = is_own(platform, actor, submission)
        transition = check_transition(
            actor, action, State(submission.status), submission.provider_id, comment, release_at, own
        )
    except (PermissionDeniedError, TransitionNotAllowedError) as error:
        audit(
            platform,
            actor,
            "permission.denied",
            target,
            {"action": action, "reason": error.message, "state": submission.status},
        )
        raise
    for attempt in range(RELEASE_ATTEMPTS):
        release = _release_for(platform, action, submission, release_at)
        try:
            changed = platform.submissions.apply_transition(
                StateChange(
                    submission_id=submission_id,
                    from_state=submission.status,
                    to_state=transition.target.value,
                    actor=actor.username,
                    action=action,
                    comment=comment,
                    release=release,
                )
            )
            break
        except ReleaseRaceError:
            # another release of the dataflow landed while this one was built: build again on it
            if attempt == RELEASE_ATTEMPTS - 1:
                raise
    audit(
        platform,
        actor,
        f"submission.{action}",
        target,
        {
            "from": submission.status,
            "to": changed.status,
            "dataflow": submission.dataflow_id,
            "provider": submission.provider_id,
            "observations": submission.row_count,
            "release_rows": release.row_count if release else None,
            "release_at": changed.release_at.isoformat() if changed.release_at else None,
            "comment": comment or None,
        },
    )
    return changed
