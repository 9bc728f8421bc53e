"""A bad recipe, through the installed ``pivgm``: the error names the recipe line and says what to fix, in
the language asked for (--lang es / en); a good one's notes are in that language too."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pivgm.platform import Platform
from pivgm.settings import Settings
from tests.backends import settings_for
from tests.executable import run_pivgm

Runner = Callable[..., subprocess.CompletedProcess[str]]

DATA = "Mes,Pais,Casos\nEne-2024,Panamá,10\nFeb-2024,Panamá,12\n"
GOOD = """recipe: 1
period: {column: Mes}
columns: {CITIZENSHIP: Pais, OBS_VALUE: Casos}
filters:
  - {column: Casos, not: {equals: "0"}}
"""
# (recipe, words of the Spanish message, words of the English one)
BAD = [
    (
        "recipe: 1\ncolumns:\n  OBS_VALUE: Casos\nfilter:\n  - {column: Pais, equals: x}\n",
        ["línea 4", "clave desconocida «filter»", "Claves permitidas"],
        ["line 4", "unknown key 'filter'", "Allowed keys"],
    ),
    (
        "recipe: 1\nperiod: {column: Mes}\ncolumns:\n  OBS_VALUE: Cases\n",
        ["línea 4", "'Cases' no es una columna de la tabla", "Las columnas de la tabla son"],
        ["line 4", "'Cases' is not a column of the table", "The table's columns are"],
    ),
]


@pytest.fixture(scope="module")
def pivgm(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    settings: Settings = settings_for(tmp_path_factory.mktemp("messages"))
    Platform.initialise(settings)
    return functools.partial(run_pivgm, settings, timeout=300)


def _validate(pivgm: Runner, folder: Path, recipe: str, language: str) -> subprocess.CompletedProcess[str]:
    (folder / "casos.csv").write_text(DATA, encoding="utf-8")
    (folder / "receta.yaml").write_text(recipe, encoding="utf-8")
    return pivgm("validate", str(folder / "casos.csv"), "--flow", "DF_IRREGULAR_TRANSIT", "--provider", "PA_SNM",
                 "--recipe", str(folder / "receta.yaml"), "--lang", language)  # fmt: skip


@pytest.mark.parametrize(("recipe", "spanish", "english"), BAD)
def test_a_bad_recipe_is_explained_in_the_language_asked_for(pivgm, tmp_path, recipe, spanish, english):
    """Fails if the CLI prints the English message for --lang es (``in_language``) or a traceback."""
    for language, words, other in (("es", spanish, english), ("en", english, spanish)):
        result = _validate(pivgm, tmp_path, recipe, language)
        assert result.returncode == 2, result.stdout + result.stderr
        said = " ".join(result.stderr.split())
        assert said.startswith("Error: receta.yaml, "), said
        for word in words:
            assert word in said, said
        assert other[1] not in said
        assert "Traceback" not in said


def test_the_notes_of_an_applied_recipe_are_in_the_language_asked_for(pivgm, tmp_path):
    spanish = " ".join(_validate(pivgm, tmp_path, GOOD, "es").stdout.split())
    english = " ".join(_validate(pivgm, tmp_path, GOOD, "en").stdout.split())
    assert "Se aplicó la receta «receta.yaml»." in spanish
    assert "filters[0] sobre «Casos» conservó 2 de 2 filas." in spanish
    assert "Recipe 'receta.yaml' applied." in english
    assert "filters[0] on 'Casos' kept 2 of 2 rows." in english


def test_a_shipped_recipe_is_named_on_the_command_line_too(pivgm, tmp_path):
    """``--recipe cbp_sbo_encounters`` is the shipped recipe, as in the API; a name that is none lists them."""
    from tests.cli.test_recipe_files import official

    path = official("sbo-encounters-fy22-fy25-aug.csv", tmp_path)
    result = pivgm("validate", str(path), "--flow", "DF_BORDER_ENCOUNTERS", "--provider", "US_CBP",
                   "--recipe", "cbp_sbo_encounters", "--lang", "en")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Recipe 'cbp_sbo_encounters.yaml'" in result.stdout
    wrong = pivgm("validate", str(path), "--flow", "DF_BORDER_ENCOUNTERS", "--provider", "US_CBP",
                  "--recipe", "cbp_sbo_encounter", "--lang", "es")  # fmt: skip
    said = " ".join(wrong.stderr.split())
    assert wrong.returncode == 2 and "no hay ninguna receta con ese nombre" in said and "cbp_sbo_encounters" in said
