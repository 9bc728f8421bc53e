"""The review of a submission: one small state machine, every transition checked against role and scope.

invalid | validated          (end states of files with errors / checked only)
loading --> draft | failed   (while a valid file is loaded; failed if the load stopped, nothing is kept)
draft --submit--> submitted --approve-national--> approved_national --approve-regional-->
approved_regional --publish [release_at]--> published --withdraw--> withdrawn
reject (with a comment) from submitted, approved_national or approved_regional, back to draft
cancel (with a comment) a publication still under embargo: its release never takes effect, and the submission
is approved_regional again (to publish at another time, or to reject); once in force, withdraw it instead

Which of a provider's versions are its "own drafts" (read with ``includeDrafts=true`` over SDMX) is decided
here too, by the same states: ``DRAFT_READERS`` and ``counts_as_draft``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pivgm.accounts.actor import Actor, Role
from pivgm.errors import InvalidParameterError, NotFoundError, PermissionDeniedError, PivgmError


class State(StrEnum):
    INVALID = "invalid"
    VALIDATED = "validated"
    LOADING = "loading"
    FAILED = "failed"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED_NATIONAL = "approved_national"
    APPROVED_REGIONAL = "approved_regional"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Transition:
    """``roles`` says, for each state the transition leaves, which role may take it."""

    action: str
    roles: dict[State, Role]
    target: State
    needs_comment: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", {State.DRAFT: Role.NATIONAL_SUBMITTER}, State.SUBMITTED),
        Transition("approve-national", {State.SUBMITTED: Role.NATIONAL_APPROVER}, State.APPROVED_NATIONAL),
        Transition("approve-regional", {State.APPROVED_NATIONAL: Role.REGIONAL_REVIEWER}, State.APPROVED_REGIONAL),
        Transition("publish", {State.APPROVED_REGIONAL: Role.REGIONAL_REVIEWER}, State.PUBLISHED),
        Transition(
            "reject",
            {
                State.SUBMITTED: Role.NATIONAL_APPROVER,
                State.APPROVED_NATIONAL: Role.REGIONAL_REVIEWER,
                State.APPROVED_REGIONAL: Role.REGIONAL_REVIEWER,
            },
            State.DRAFT,
            needs_comment=True,
        ),
        Transition("withdraw", {State.PUBLISHED: Role.REGIONAL_REVIEWER}, State.WITHDRAWN, needs_comment=True),
        Transition("cancel", {State.PUBLISHED: Role.REGIONAL_REVIEWER}, State.APPROVED_REGIONAL, needs_comment=True),
    )
}

VISIBLE_ROLES = (Role.NATIONAL_SUBMITTER, Role.NATIONAL_APPROVER, Role.REGIONAL_REVIEWER)


DRAFT_READERS = (Role.NATIONAL_SUBMITTER, Role.NATIONAL_APPROVER)
"""The roles whose holders read their providers' unpublished data over SDMX (``includeDrafts=true``)."""

PROPOSAL_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.APPROVED_NATIONAL, State.APPROVED_REGIONAL})
"""States in which a loaded version is still on its way to publication."""


def draft_providers(actor: Actor) -> frozenset[str]:
    """The providers whose unpublished versions ``actor`` may read alongside the published data: those a
    national role (``DRAFT_READERS``) was granted for by name. Administrators and regional reviewers, who hold
    roles for every provider, review drafts in the submission pages instead, so they get none here."""
    return frozenset(provider for role in DRAFT_READERS for provider in actor.providers(role))


def counts_as_draft(state: str, last_action: str | None, release_at: datetime | None, now: datetime) -> bool:
    """Whether a submission's version is an unpublished proposal its provider reads as its own draft.

    - ``draft``, ``submitted``, ``approved_national``, ``approved_regional``: yes, unless the last step was a
      rejection (``reject`` returns a submission to ``draft``; it counts again once it is submitted anew);
    - ``published``: only while its release is under embargo (``release_at`` after ``now``); once in force,
      the release in force is what is read (it may since have replaced this version);
    - ``withdrawn``, ``invalid``, ``validated``, ``loading``, ``failed``: never (the last four have no
      version).

    The reader then takes, per provider, the newest version that counts, if it is newer than the provider's
    version in the release in force.
    """
    if state == State.PUBLISHED:
        return release_at is not None and release_at > now
    return state in PROPOSAL_STATES and last_action != "reject"


def discarded(state: str, last_action: str | None) -> bool:
    """Whether a submission's version was set aside: withdrawn, or rejected and not submitted again. Later
    submissions of its provider build on the version before it, not on it."""
    return state == State.WITHDRAWN or (state in PROPOSAL_STATES and last_action == "reject")


class TransitionNotAllowedError(PivgmError):
    status_code = 409
    exit_code = 2
    code = "transition-not-allowed"


SELF_REVIEW_FORBIDDEN = frozenset({"approve-national", "approve-regional", "publish"})
"""Steps the person who submitted a file may not take on it where the provider keeps four eyes."""


class SelfReviewError(PermissionDeniedError):
    code = "four-eyes"


def can_see(actor: Actor, provider_id: str) -> bool:
    """Staff see the submissions of the providers they hold a role for; regional roles see all."""
    return any(actor.has(role, provider_id) for role in VISIBLE_ROLES)


SCHEDULED_ONLY = frozenset({"cancel"})
"""Steps on a publication still under embargo only; ``withdraw`` is for one in force."""


def fits_schedule(action: str, scheduled: bool) -> bool:
    """Whether ``action`` can be taken on a publication that is (``scheduled``) or is not under embargo."""
    if action in SCHEDULED_ONLY:
        return scheduled
    return not (scheduled and action == "withdraw")


def allowed_actions(
    actor: Actor, state: State, provider_id: str, own: bool = False, scheduled: bool = False
) -> list[str]:
    """The transitions ``actor`` may take on a submission of ``provider_id`` in ``state``; ``own``: the
    submission is one ``actor`` submitted and its provider keeps four eyes (no approving it); ``scheduled``:
    its publication is under embargo (cancel it, not withdraw it)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if state in t.roles
        and actor.has(t.roles[state], provider_id)
        and not (own and t.action in SELF_REVIEW_FORBIDDEN)
        and (state is not State.PUBLISHED or fits_schedule(t.action, scheduled))
    ]


def check_transition(
    actor: Actor,
    action: str,
    state: State,
    provider_id: str,
    comment: str,
    release_at: datetime | None,
    own: bool = False,
    scheduled: bool = False,
) -> Transition:
    """The transition to take, or the error that says why not (unknown action 422, wrong role or scope 403,
    approving one's own submission under four eyes 403, wrong state 409: also cancelling a publication in
    force, or withdrawing one under embargo, ``scheduled``)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidParameterError(
            f"Unknown action {action!r}; actions are {', '.join(TRANSITIONS)}.", parameter="action"
        )
    if not can_see(actor, provider_id):
        raise PermissionDeniedError(f"{actor.username} has no role for provider {provider_id}.", provider=provider_id)
    if state not in transition.roles:
        possible = allowed_actions(actor, state, provider_id, own, scheduled)
        raise TransitionNotAllowedError(
            f"A submission in state {state.value!r} cannot be {action!r}ed; "
            f"from here: {', '.join(possible) or 'no action for you'}.",
            state=state.value,
        )
    if state is State.PUBLISHED and not fits_schedule(action, scheduled):
        why = (
            "is under embargo, so it cannot be withdrawn: cancel it instead"
            if scheduled
            else "is in force, so it cannot be cancelled: withdraw it instead"
        )
        raise TransitionNotAllowedError(f"This publication {why}.", state=state.value)
    role = transition.roles[state]
    if not actor.has(role, provider_id):
        raise PermissionDeniedError(
            f"{action!r} needs the role {role.value} for provider {provider_id}.", role=role.value
        )
    if own and action in SELF_REVIEW_FORBIDDEN:
        raise SelfReviewError(
            f"{actor.username} submitted this file, so another person must take the step {action!r} "
            f"(four eyes: provider {provider_id})."
        )
    if transition.needs_comment and not comment.strip():
        raise InvalidParameterError(f"{action!r} needs a comment saying why.", parameter="comment")
    if release_at is not None and (action != "publish" or release_at.tzinfo is None):
        raise InvalidParameterError(
            "release_at is only for 'publish' and must carry a time zone (e.g. 2026-12-01T12:00:00Z).",
            parameter="release_at",
        )
    return transition


def not_found(submission_id: int) -> NotFoundError:
    return NotFoundError(f"Submission {submission_id} does not exist.", submission=submission_id)
