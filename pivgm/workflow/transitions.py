"""Taking a review step on a submission: checked, and atomic with its release and its audit row."""

from __future__ import annotations

from datetime import UTC, datetime

from pivgm.accounts.actor import Actor
from pivgm.accounts.audit import audit, event
from pivgm.accounts.clock import utc_now
from pivgm.errors import AuthenticationRequiredError, PermissionDeniedError
from pivgm.platform import Platform
from pivgm.records import NewRelease, StateChange, SubmissionInfo
from pivgm.records.submissions import Cancellation
from pivgm.workflow.deriving import deriver_of
from pivgm.workflow.notify import notify
from pivgm.workflow.profiles import Later, prepare_profiles, right_away
from pivgm.workflow.publishing import Seam, commit, no_seam, publisher_of
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


def is_scheduled(submission: SubmissionInfo, now: datetime) -> bool:
    """Whether the submission's publication is under embargo at ``now`` (scheduled, not yet in force)."""
    return submission.status == State.PUBLISHED and submission.release_at is not None and submission.release_at > now


def _cancellation(platform: Platform, action: str, submission: SubmissionInfo, now: datetime) -> Cancellation | None:
    """What cancelling the submission's scheduled publication cancels: its release and the releases of the
    indicators it feeds scheduled with it (``cancel_release``)."""
    if action != "cancel":
        return None
    if submission.release_id is None:
        raise TransitionNotAllowedError(
            f"Submission {submission.id} has no scheduled release to cancel.", state=submission.status
        )
    followers = tuple(i.id for i in deriver_of(platform).fed_by([submission.dataflow_id]))
    return Cancellation(submission.release_id, now, followers)


def _release_for(
    platform: Platform, action: str, submission: SubmissionInfo, release_at: datetime | None
) -> NewRelease | None:
    """The new release a publication or a withdrawal makes; other steps make none."""
    if submission.version_id is None or action not in ("publish", "withdraw"):
        return None
    publisher = publisher_of(platform)
    if action == "publish":
        return publisher.publication(submission.version_id, release_at.astimezone(UTC) if release_at else None)
    return publisher.withdrawal(submission.version_id)


def take_step(
    platform: Platform,
    actor: Actor,
    submission_id: int,
    action: str,
    comment: str = "",
    release_at: datetime | None = None,
    *,
    seam: Seam = no_seam,
    later: Later = right_away,
) -> SubmissionInfo:
    """Apply one review transition; publication and withdrawal build the dataflow's new release first and
    commit it with the step and its audit row (``publishing.commit``: rebuilt if another release lands).
    ``later`` runs what follows a publication that the step's answer need not wait for (the country
    profiles): a web request passes its background tasks, so the click returns once the release is in."""
    submission = visible_submission(platform, actor, submission_id)
    target = f"submission:{submission_id}"
    now = platform.clock()
    scheduled = is_scheduled(submission, now)
    try:
        own = is_own(platform, actor, submission)
        transition = check_transition(
            actor, action, State(submission.status), submission.provider_id, comment, release_at, own, scheduled
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

    def write(release: NewRelease | None) -> SubmissionInfo:
        details = {
            "from": submission.status,
            "to": transition.target.value,
            "dataflow": submission.dataflow_id,
            "provider": submission.provider_id,
            "observations": submission.row_count,
            "release_rows": release.row_count if release else None,
            "release_at": release.published_at.isoformat()
            if release and release.published_at and action == "publish"
            else None,
            "comment": comment or None,
        }
        return platform.submissions.apply_transition(
            StateChange(
                submission_id=submission_id,
                from_state=submission.status,
                to_state=transition.target.value,
                actor=actor.username,
                action=action,
                comment=comment,
                release=release,
                audit=event(actor, f"submission.{action}", target, details, at=utc_now()),
                cancellation=_cancellation(platform, action, submission, now),
            )
        )

    changed = commit(lambda: _release_for(platform, action, submission, release_at), write, seam)
    if action in ("publish", "withdraw") and submission.version_id is not None:
        at = platform.records.last_release_time(submission.dataflow_id)
        deriver_of(platform).after_release(submission.dataflow_id, at, actor)
        later(prepare_profiles, platform, release_at if action == "publish" else None)  # before anyone asks
    if action == "cancel" and submission.release_at is not None:
        # the indicators' cancelled releases may also have held another input's scheduled data: recompute
        deriver_of(platform).after_release(submission.dataflow_id, submission.release_at, actor)
    notify(platform, changed, action, actor.username, comment)  # in the background: never delays the step
    return changed
