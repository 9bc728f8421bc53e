"""An optional e-mail address per account, where review notifications go: kept by the migration, set from the
CLI and the administration page, validated everywhere."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from pivgm.accounts import users
from pivgm.accounts.actor import system_actor
from pivgm.platform import Platform
from pivgm.records import AccountStore, connect, upgrade
from pivgm.records.database import MIGRATIONS_DIR
from pivgm.settings import Settings
from tests.accounts.conftest import CSRF_FIELD, PASSWORD
from tests.backends import settings_for
from tests.executable import run_pivgm
from tests.live import serving

ROOT = system_actor("cli:tester")


def migrate_to(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_the_migration_keeps_existing_users_who_then_have_no_address(tmp_path):
    """Fails if revision 0004 drops or rebuilds users without their rows, or is missing (no email column)."""
    settings = settings_for(tmp_path / "data")
    engine = connect(settings.records_url)
    migrate_to(engine, "0003")
    moment = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, display_name, password_hash, password_temporary, active, "
                "failed_logins, created_at, password_changed_at) VALUES ('ana', 'Ana', 'x', false, true, 0, :at, :at)"
            ),
            {"at": moment},
        )
    upgrade(engine)
    ana = AccountStore(engine).user("ana")
    assert ana is not None and ana.display_name == "Ana" and ana.email is None
    engine.dispose()


def pivgm(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run_pivgm(settings, *arguments, stdin=PASSWORD + "\n", env={"LOGNAME": "maria"}, timeout=120)


def test_the_cli_adds_changes_and_removes_an_address_and_refuses_a_bad_one(tmp_path):
    """Fails if ``--email`` or ``set-email`` is not passed on to the accounts, or if validation is removed
    (the bad address would be stored and the exit code 0)."""
    settings = settings_for(tmp_path / "data")
    assert pivgm(settings, "init").returncode == 0
    added = pivgm(settings, "users", "add", "ana", "--email", "Ana.Lopez@INM.gob.hn", "--password-stdin")
    assert added.returncode == 0, added.stderr
    assert "Ana.Lopez@inm.gob.hn" in pivgm(settings, "users", "list").stdout
    refused = pivgm(settings, "users", "add", "beto", "--email", "beto at inm", "--password-stdin")
    assert refused.returncode == 2 and "beto at inm" in refused.stderr and "maria@migracion.gob.hn" in refused.stderr
    assert pivgm(settings, "users", "set-email", "ana", "not-an-address").returncode == 2
    assert pivgm(settings, "users", "set-email", "ana", "ana@sica.int").returncode == 0
    platform = Platform.open(settings)
    assert [(u.username, u.email) for u in users.overview(platform, ROOT).users] == [("ana", "ana@sica.int")]
    assert pivgm(settings, "users", "set-email", "ana", "").returncode == 0
    assert users.overview(platform, ROOT).users[0].email is None


@pytest.fixture
def admin_server(tmp_path):  # type: ignore[no-untyped-def]
    settings = settings_for(tmp_path / "data")
    platform = Platform.initialise(settings)
    users.add(platform, ROOT, "root", password=PASSWORD)
    users.grant(platform, ROOT, "root", "administrator")
    users.add(platform, ROOT, "bea", password=PASSWORD)
    with serving(settings) as base, httpx.Client(base_url=base, timeout=30) as client:
        token = CSRF_FIELD.search(client.get("/login").text)
        assert token is not None
        client.post("/login", data={"username": "root", "password": PASSWORD, "csrf_token": token.group(1)})
        page = client.get("/admin/users?lang=en")
        found = CSRF_FIELD.search(page.text)
        assert found is not None
        yield client, found.group(1)


def test_the_administration_page_sets_an_address_and_explains_a_bad_one(admin_server):
    """Fails if the page's e-mail form or the ``email`` route is removed, or a bad address stops being refused
    with a 4xx that says what is wrong."""
    client, csrf = admin_server
    page = client.get("/admin/users?lang=es").text
    assert "Correo electrónico" in page and 'name="email"' in page
    response = client.post("/admin/users/bea/email", data={"email": "bea@dgm.gob.gt", "csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/admin/users?done=email"
    bea = next(u for u in client.get("/api/users").json() if u["username"] == "bea")
    assert bea["email"] == "bea@dgm.gob.gt"
    bad = client.post("/admin/users/bea/email?lang=en", data={"email": "bea@dgm", "csrf_token": csrf})
    assert bad.status_code == 422 and "is not valid" in bad.text
    added = client.post("/admin/users?lang=en", data={"username": "caro", "email": "caro@@x.org", "csrf_token": csrf})
    assert added.status_code == 422 and "caro@@x.org" in added.text
    listed = {u["username"]: u["email"] for u in client.get("/api/users").json()}
    assert listed == {"root": None, "bea": "bea@dgm.gob.gt"}  # nothing half-written
    added = client.post("/admin/users", data={"username": "caro", "email": "caro@x.org", "csrf_token": csrf})
    assert added.status_code == 200
    assert re.search(r'value="caro@x\.org"', client.get("/admin/users").text)
