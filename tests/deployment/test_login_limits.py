"""A hundred wrong passwords at once against one account, over HTTP, through two workers: exactly the
configured number are checked, the rest are refused with 429, and none is a 500; the client address comes
from X-Forwarded-For only when the proxy is trusted."""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from pivgm.accounts import users
from pivgm.accounts.audit import list_events
from pivgm.accounts.limits import DEFAULT_POLICY
from pivgm.platform import Platform
from pivgm.records.audit import AuditFilter
from tests.backends import environment_for, settings_for
from tests.deployment.test_concurrency import free_port
from tests.executable import EXECUTABLE
from tests.people import ADMIN, PASSWORD

pytestmark = pytest.mark.slow

ATTEMPTS = 100
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


def wrong_login(base: str, cookies: httpx.Cookies, token: str, number: int) -> int:
    headers = {"X-Forwarded-For": f"198.51.100.{number % 250 + 1}"}
    with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=120) as client:
        data = {"username": "ana", "password": f"wrong guess {number}", "csrf_token": token}
        return client.post("/login", data=data).status_code


@pytest.mark.parametrize(("trusted", "seen_from"), [("127.0.0.1", "198.51.100."), ("", "127.0.0.1")])
def test_parallel_wrong_logins_are_limited_exactly_and_never_fail(tmp_path, trusted, seen_from):
    """Fails if attempts are counted after their password check instead of before it, in one locked
    transaction (``AccountStore.attempt``): then all hundred are checked, or SQLite answers 500 "database is
    locked"; and if ``PIVGM_FORWARDED_ALLOW_IPS`` is not passed to uvicorn (it would trust loopback anyway)."""
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    users.add(platform, ADMIN, "ana", "Ana", PASSWORD)
    port = free_port()
    env = {**environment_for(settings), "PIVGM_FORWARDED_ALLOW_IPS": trusted}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        form = httpx.get(f"{base}/login", timeout=30)
        token = FORM_TOKEN.search(form.text).group(1)
        with ThreadPoolExecutor(ATTEMPTS) as pool:
            statuses = Counter(pool.map(lambda n: wrong_login(base, form.cookies, token, n), range(ATTEMPTS)))
        with httpx.Client(base_url=base, cookies=form.cookies, timeout=60) as client:
            right = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token})
    finally:
        server.terminate()
        server.wait(timeout=60)

    checked = DEFAULT_POLICY.max_failures
    assert 500 not in statuses, (tmp_path / "server.log").read_text()[-3000:]
    assert statuses == {401: checked, 429: ATTEMPTS - checked}
    assert right.status_code == 429, "the account is locked, even for the right password"
    events = list_events(platform, ADMIN, AuditFilter(action="auth.login", target="user:ana"), per_page=500).events
    assert Counter(e.action for e in events) == {
        "auth.login-failed": checked,
        "auth.login-refused": ATTEMPTS - checked + 1,
    }
    assert all((e.ip or "").startswith(seen_from) for e in events if e.action == "auth.login-failed")
