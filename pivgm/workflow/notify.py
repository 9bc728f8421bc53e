"""Telling the next person: after each review step, an e-mail to those who can take the next one.

Addresses are the accounts' e-mail addresses (``pivgm users set-email``), or else their usernames where those
are e-mail addresses (``maria@migracion.gob.hn``). Mail
goes through ``PIVGM_SMTP_URL`` (``smtp://[user:password@]host:port[?from=address]``; ``smtp+starttls://`` for TLS),
links start with ``PIVGM_PUBLIC_URL``, in a background
thread: a slow or absent mail server never delays or fails the step (failures are logged). Without the
setting nothing is sent; the in-app inbox (the counts in the header) tells people either way.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from pivgm.accounts.actor import GLOBAL_ROLES, Role
from pivgm.platform import Platform
from pivgm.records import SubmissionInfo
from pivgm.records.accounts import AccountStore, UserInfo
from pivgm.workflow.review import TRANSITIONS, State

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20
EMAIL = "@"


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    body: str


def _next_roles(state: State) -> set[Role]:
    return {t.roles[state] for t in TRANSITIONS.values() if state in t.roles and t.action not in ("reject", "withdraw")}


def address(user: UserInfo) -> str | None:
    """Where a user's mail goes: the account's e-mail address, else an e-mail-shaped username, else nowhere."""
    return user.email or (user.username if EMAIL in user.username else None)


def recipients(platform: Platform, submission: SubmissionInfo) -> list[str]:
    """The addresses of the active people who can take the submission's next step (its uploader when it went
    back to draft or was published)."""
    state = State(submission.status)
    store = AccountStore(platform.records.engine)
    if state in (State.DRAFT, State.PUBLISHED, State.WITHDRAWN):
        uploader = submission.created_by or ""
        account = store.user(uploader)
        to = address(account) if account else (uploader if EMAIL in uploader else None)
        return [to] if to else []
    roles = _next_roles(state)
    found = []
    for user in store.users():
        to = address(user)
        if not user.active or to is None or user.username == submission.created_by:
            continue
        for role_name, provider in user.grants:
            role = Role(role_name)
            if role in roles and (role in GLOBAL_ROLES or provider == submission.provider_id):
                found.append(to)
                break
    return sorted(found)


def message(submission: SubmissionInfo, action: str, actor: str, comment: str, base_url: str) -> tuple[str, str]:
    """Subject and body, in Spanish then English (the platform's two languages)."""
    link = f"{base_url.rstrip('/')}/submissions/{submission.id}"
    subject = f"PIVGM: envío {submission.id} ({submission.dataflow_id}, {submission.provider_id}) · {action}"
    body = (
        f"{actor} tomó el paso «{action}» sobre el envío {submission.id} ({submission.file_name}).\n"
        f"Estado: {submission.status}.\n{('Comentario: ' + comment) if comment else ''}\n{link}\n\n"
        f"{actor} took the step '{action}' on submission {submission.id} ({submission.file_name}).\n"
        f"State: {submission.status}.\n{('Comment: ' + comment) if comment else ''}\n{link}\n"
    )
    return subject, body


def _send(url: str, mail: Mail) -> None:
    parts = urlsplit(url)
    sender = parse_qs(parts.query).get("from", [f"pivgm@{parts.hostname or 'localhost'}"])[0]
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, ", ".join(mail.to), mail.subject
    email.set_content(mail.body)
    try:
        with smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=TIMEOUT_SECONDS) as server:
            if parts.scheme == "smtp+starttls":
                server.starttls()
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ""))
            server.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("review mail to %s not sent: %s", mail.to, error)


def notify(
    platform: Platform, submission: SubmissionInfo, action: str, actor: str, comment: str = ""
) -> threading.Thread | None:
    """Send the step's mail in the background (returns the thread, or None when there is nothing to send)."""
    url = platform.settings.smtp_url
    if not url:
        return None
    to = recipients(platform, submission)
    if not to:
        return None
    subject, body = message(submission, action, actor, comment, platform.settings.public_url)
    thread = threading.Thread(target=_send, args=(url, Mail(to, subject, body)), daemon=True)
    thread.start()
    return thread
