"""``POST /api/submissions`` with a ``recipe``, over HTTP to a real server: a shipped recipe by name, the
recipe's own YAML, or ``saved``; a recipe that cannot be used is a 422 saying why in Spanish and English,
and nothing is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from tests.backends import settings_for
from tests.cli.test_recipe_files import official
from tests.live import serving
from tests.people import person

pytestmark = pytest.mark.slow  # a real server; each upload is checked in a child process

DATA = b"Mes,Nacionalidad,Casos\nEne-2024,Venezuela,1200\nEne-2024,Honduras,850\n"
RECIPE = """recipe: 1
title: eventos por mes
period: {column: Mes}
columns: {CITIZENSHIP: Nacionalidad, OBS_VALUE: Casos}
constants: {FREQ: M, REF_AREA: MEX, SEX: _T, AGE: _T, ACCOMPANIMENT: _T, UNIT_MEASURE: EVENTS}
"""
# (recipe field, the line named or None, words of the Spanish message, words of the English one)
BAD = [
    (RECIPE + "filter: [{column: Mes, equals: x}]\n", 6, "clave desconocida «filter»", "unknown key 'filter'"),
    (RECIPE.replace("OBS_VALUE: Casos", "OBS_VALUE: Cases"), 4, "no es una columna", "is not a column"),
    ("cbp_sbo_encounter", None, "no hay ninguna receta con ese nombre", "there is no recipe of that name"),
    ("saved", None, "no tiene ninguna receta guardada", "has no saved recipe"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Platform]]:
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("recipes-api")))
    grants = ((Role.NATIONAL_SUBMITTER, "MX_UPM"), (Role.NATIONAL_SUBMITTER, "US_CBP"))
    submitter = person(platform, "recipes.submitter", *grants)
    with serving(platform.settings) as base:
        yield base, submitter.headers, platform


def upload(server: Any, content: bytes, name: str = "casos.csv", **fields: str) -> httpx.Response:
    base, headers, _ = server
    form = {"dataflow": "DF_IRREGULAR_TRANSIT", "provider": "MX_UPM", **fields}
    return httpx.post(f"{base}/api/submissions", headers=headers, data=form, files={"file": (name, content)},
                      timeout=300)  # fmt: skip


@pytest.mark.parametrize(("recipe", "line", "spanish", "english"), BAD)
def test_a_recipe_that_cannot_be_used_is_a_422_in_both_languages_and_nothing_is_recorded(
    server, recipe, line, spanish, english
):
    """Fails if the recipe field is ignored (201), if the child's error loses its Spanish text on the way
    back, or if the refused upload left a submission or an archived file behind."""
    platform: Platform = server[2]
    before = (platform.submissions.count(), platform.submissions.archived_files())
    response = upload(server, DATA, recipe=recipe)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid-recipe"
    assert error.get("line") == line
    assert spanish in error["messages"]["es"] and english in error["messages"]["en"]
    assert error["message"] == error["messages"]["en"]
    assert (platform.submissions.count(), platform.submissions.archived_files()) == before


def test_a_recipe_and_a_mapping_together_are_refused(server):
    response = upload(server, DATA, recipe=RECIPE, mapping='{"columns": {}}')
    assert response.status_code == 422
    assert "no ambos" in response.json()["error"]["messages"]["es"]


def test_an_inline_recipe_loads_and_then_serves_as_the_saved_one(server):
    """The YAML sent in the field is applied (its notes in both languages), saved, and ``saved`` reuses it."""
    first = upload(server, DATA, recipe=RECIPE)
    assert first.status_code == 201, first.text
    report = first.json()["report"]
    assert report["valid"] and report["rows"] == 2, report
    applied = {
        "es": "Se aplicó la receta «recipe» (eventos por mes).",
        "en": "Recipe 'recipe' (eventos por mes) applied.",
    }
    assert applied in report["notes"]
    again = upload(server, DATA.replace(b"1200", b"1201"), recipe="saved")
    assert again.status_code == 201, again.text
    notes = [note["en"] for note in again.json()["report"]["notes"]]
    assert any(note.startswith("Recipe 'saved recipe 1 of MX_UPM for DF_IRREGULAR_TRANSIT'") for note in notes)


def test_a_shipped_recipe_is_named_by_its_file_name(server, tmp_path: Path):
    """CBP's southwest border export through ``recipe=cbp_sbo_encounters``: every data row read."""
    path = official("sbo-encounters-fy22-fy25-aug.csv", tmp_path)
    response = upload(server, path.read_bytes(), path.name, recipe="cbp_sbo_encounters",
                      dataflow="DF_BORDER_ENCOUNTERS", provider="US_CBP", load="false")  # fmt: skip
    assert response.status_code == 201, response.text
    report = response.json()["report"]
    assert report["valid"], report["issues"][:3]
    assert report["rows"] == 1_936
    assert report["notes"][0]["en"].startswith("Recipe 'cbp_sbo_encounters.yaml' (CBP southwest land border")


def test_the_recipe_field_is_in_the_openapi_document(server):
    document = httpx.get(f"{server[0]}/api/openapi.json", timeout=30).json()
    schema = document["components"]["schemas"]
    form = next(value for key, value in schema.items() if key.startswith("Body_create_submission"))
    assert "shipped recipe" in form["properties"]["recipe"]["description"]
