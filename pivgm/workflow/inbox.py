"""What each person sees of the review: their submissions, the steps open to them, each one's history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pivgm.accounts.actor import Actor, Role
from pivgm.platform import Platform
from pivgm.records import SubmissionEvent, SubmissionInfo
from pivgm.workflow.review import PROPOSAL_STATES, State, allowed_actions, can_see
from pivgm.workflow.transitions import is_own, visible_submission


@dataclass(frozen=True)
class SubmissionView:
    submission: SubmissionInfo
    actions: list[str]
    history: list[SubmissionEvent]
    embargoed: bool

    def to_dict(self) -> dict[str, Any]:
        s = self.submission
        return {
            "id": s.id,
            "provider": s.provider_id,
            "dataflow": s.dataflow_id,
            "file": {"name": s.file_name, "sha256": s.file_sha256},
            "state": s.status,
            "version": s.version_id,
            "rows": s.row_count,
            "errors": s.error_count,
            "warnings": s.warning_count,
            "created_at": s.created_at.isoformat(),
            "created_by": s.created_by,
            "release_at": s.release_at.isoformat() if s.release_at else None,
            "embargoed": self.embargoed,
            "actions": self.actions,
            "history": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "comment": e.comment,
                }
                for e in self.history
            ],
        }


def _view(platform: Platform, actor: Actor, submission: SubmissionInfo, with_history: bool) -> SubmissionView:
    state = State(submission.status)
    embargoed = bool(
        state is State.PUBLISHED and submission.release_at is not None and submission.release_at > platform.clock()
    )
    history = platform.submissions.events(submission.id) if with_history else []
    own = is_own(platform, actor, submission)
    actions = allowed_actions(actor, state, submission.provider_id, own, scheduled=embargoed)
    return SubmissionView(submission, actions, history, embargoed)


def submission_view(platform: Platform, actor: Actor, submission_id: int) -> SubmissionView:
    return _view(platform, actor, visible_submission(platform, actor, submission_id), with_history=True)


def inbox(platform: Platform, actor: Actor, states: list[str] | None = None) -> list[SubmissionView]:
    """Submissions of the providers ``actor`` has a role for (all of them for regional roles)."""
    regional = actor.has(Role.REGIONAL_REVIEWER)
    providers = (
        None
        if regional
        else sorted({p for role in (Role.NATIONAL_SUBMITTER, Role.NATIONAL_APPROVER) for p in actor.providers(role)})
    )
    found = platform.submissions.find(providers, states)
    return [_view(platform, actor, s, with_history=False) for s in found if can_see(actor, s.provider_id)]


@dataclass(frozen=True)
class WaitingCounts:
    """What waits for a person: ``mine`` their drafts to send on, ``to_review`` others' steps open to them."""

    mine: int
    to_review: int


def waiting_counts(platform: Platform, actor: Actor) -> WaitingCounts:
    """The numbers the header shows next to "my submissions" and "review"."""
    items = inbox(platform, actor, sorted(PROPOSAL_STATES))
    mine = sum(1 for item in items if "submit" in item.actions)
    to_review = sum(1 for item in items if any(action != "submit" for action in item.actions))
    return WaitingCounts(mine, to_review)
