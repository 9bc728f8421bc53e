"""Each review step tells the next people by e-mail, through a real SMTP server on loopback (aiosmtpd), and
a mail server that never answers does not delay the step."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from pivgm.accounts import users
from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.backends import settings_for
from tests.live import free_port
from tests.people import ADMIN, PASSWORD

FILE = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;1200\n"
MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    constants={"FREQ": "M", "REF_AREA": "HND", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "PS"},
)
PEOPLE = {
    "ana@inm.gob.hn": ("national_submitter", "HN_INM"),
    "beto@inm.gob.hn": ("national_approver", "HN_INM"),
    "juan": ("national_approver", "HN_INM"),  # no address: the inbox only
    "carla@dgm.gob.gt": ("national_approver", "GT_IGM"),  # another country
    "rcm@sica.int": ("regional_reviewer", None),
}


class Sink:
    """Keeps every message the server receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def team(url: str, tmp_path) -> Platform:  # type: ignore[no-untyped-def]
    platform = Platform.initialise(settings_for(tmp_path / "data", smtp_url=url, public_url="https://pivgm.test"))
    for username, (role, provider) in PEOPLE.items():
        users.add(platform, ADMIN, username, password=PASSWORD)
        users.grant(platform, ADMIN, username, role, provider)
    return platform


def uploaded(platform: Platform) -> int:
    ana = users.acting_as(platform, "ana@inm.gob.hn")
    request = SubmissionRequest("HN_INM", "DF_IRREGULAR_TRANSIT", "e.csv", FILE, MAPPING, actor=ana)
    return submit(platform, request).submission.id


def wait_for(sink: Sink, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def sink():  # type: ignore[no-untyped-def]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, f"smtp://127.0.0.1:{controller.port}?from=pivgm@pivgm.test"
    controller.stop()


def test_each_step_mails_those_who_take_the_next_one(sink, tmp_path):
    """Fails if ``take_step`` stops calling ``notify`` (no message would arrive)."""
    handler, url = sink
    platform = team(url, tmp_path)
    number = uploaded(platform)
    submitter, approver, regional = (
        users.acting_as(platform, name) for name in ("ana@inm.gob.hn", "beto@inm.gob.hn", "rcm@sica.int")
    )
    take_step(platform, submitter, number, "submit", "first load")
    wait_for(handler, 1)
    to, mail = handler.messages[0]
    assert to == ["beto@inm.gob.hn"]  # not juan (no address), not carla (another country), not ana (uploader)
    assert "first load" in mail.get_payload() and f"https://pivgm.test/submissions/{number}" in mail.get_payload()
    take_step(platform, approver, number, "approve-national")
    wait_for(handler, 2)
    assert handler.messages[1][0] == ["rcm@sica.int"]
    take_step(platform, regional, number, "reject", "the January figure is provisional")
    wait_for(handler, 3)
    assert handler.messages[2][0] == ["ana@inm.gob.hn"]
    assert "provisional" in handler.messages[2][1].get_payload()


def test_mail_goes_to_the_accounts_address_when_it_has_one(sink, tmp_path):
    """Fails if ``recipients`` ignores the account's e-mail field (juan's mail would not be sent, beto's would go
    to his username instead of his configured address)."""
    handler, url = sink
    platform = team(url, tmp_path)
    users.set_email(platform, ADMIN, "juan", "Juan.Perez@INM.gob.hn")
    users.set_email(platform, ADMIN, "beto@inm.gob.hn", "roberto@inm.gob.hn")
    number = uploaded(platform)
    take_step(platform, users.acting_as(platform, "ana@inm.gob.hn"), number, "submit")
    wait_for(handler, 1)
    to, mail = handler.messages[0]
    assert to == ["Juan.Perez@inm.gob.hn", "roberto@inm.gob.hn"]
    assert mail["To"] == "Juan.Perez@inm.gob.hn, roberto@inm.gob.hn"


def test_a_mail_server_that_never_answers_does_not_delay_the_step(tmp_path):
    """Fails if the mail is sent in the step's own thread (the step would wait for the server's timeout)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never says a word
        platform = team(f"smtp://127.0.0.1:{silent.getsockname()[1]}", tmp_path)
        number = uploaded(platform)
        started = time.monotonic()
        changed = take_step(platform, users.acting_as(platform, "ana@inm.gob.hn"), number, "submit")
        assert changed.status == "submitted"
        assert time.monotonic() - started < 5


def test_without_a_mail_server_nothing_is_sent_and_steps_work(empty_platform):
    request = SubmissionRequest("HN_INM", "DF_IRREGULAR_TRANSIT", "e.csv", FILE, MAPPING)
    number = submit(empty_platform, request).submission.id
    assert take_step(empty_platform, ADMIN, number, "submit").status == "submitted"
