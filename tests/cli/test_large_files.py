"""Large national files through the installed ``pivgm validate``: a UTF-8 export past the size at which it is
read as bytes (checked a block at a time, never decoded whole) reads as it did when it was decoded whole,
and a byte that is not UTF-8 is reported at its row, in Spanish and in English."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pivgm.ingest.readers.csv_reader import LAYOUT_CHARS
from pivgm.ingest.readers.text import CHECK_BYTES
from pivgm.platform import Platform
from pivgm.structures import load_standard
from tests.backends import settings_for
from tests.executable import run_pivgm

Runner = Callable[..., subprocess.CompletedProcess[str]]

RECIPE = """recipe: 1
read: {encoding: utf-8}
columns: {CITIZENSHIP: Nacionalidad, COUNTERPART_AREA: Destino, SEX: Sexo, TIME_PERIOD: Mes, OBS_VALUE: Eventos}
values:
  SEX: {Hombres: M, Mujeres: F}
  COUNTERPART_AREA: {México: MEX, Panamá: PAN, Perú: PER}
constants: {FREQ: M, REF_AREA: MEX, RETURN_DIRECTION: EXEC, ACCOMPANIMENT: _T, UNIT_MEASURE: EVENTS, AGE: _T,
            RETURN_TYPE: _T}
"""
TITLE = "Devoluciones según nacionalidad"
HEADER = "Nacionalidad;Destino;Sexo;Mes;Eventos"


def _lines() -> list[bytes]:
    """Over ``CHECK_BYTES`` of rows with two-byte characters throughout (é, á, ú), every key once."""
    areas = sorted(c for c in load_standard().codelist("CL_AREA").ids() if len(c) == 3 and c.isalpha())
    months = [f"{y}-{m:02d}" for y in range(1990, 2026) for m in range(1, 13)]
    lines, number = [], 0
    for area in areas:
        for destination in ("México", "Panamá", "Perú"):
            for sex in ("Hombres", "Mujeres"):
                for month in months:
                    number += 1
                    lines.append(f"{area};{destination};{sex};{month};{number % 900 + 1},5".encode())
        if sum(map(len, lines)) > CHECK_BYTES * 1.2:
            return lines
    raise AssertionError("not enough codes for a large file")


def _file(lines: list[bytes]) -> bytes:
    """Title, header and rows, with the title padded so that a two-byte character straddles the first
    block boundary of the UTF-8 check."""
    body = b"\n".join([HEADER.encode(), *lines]) + b"\n"
    title = TITLE.encode()
    last = body.rindex(b"\xc3", 0, CHECK_BYTES - len(title) - 1)  # a first byte of é/á/ú before the boundary
    padding = CHECK_BYTES - 1 - (len(title) + 1 + last)
    content = title + b" " * padding + b"\n" + body
    assert content[CHECK_BYTES - 1] == 0xC3 and len(content) > LAYOUT_CHARS
    return content


@pytest.fixture(scope="module")
def pivgm(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    settings = settings_for(tmp_path_factory.mktemp("large"))
    Platform.initialise(settings)
    return functools.partial(run_pivgm, settings, timeout=600)


@pytest.fixture(scope="module")
def content() -> bytes:
    return _file(_lines())


def _validate(pivgm: Runner, folder: Path, content: bytes, language: str) -> subprocess.CompletedProcess[str]:
    (folder / "devoluciones.csv").write_bytes(content)
    (folder / "receta.yaml").write_text(RECIPE, encoding="utf-8")
    return pivgm("validate", str(folder / "devoluciones.csv"), "--flow", "DF_RETURNS", "--provider", "MX_UPM",
                 "--recipe", str(folder / "receta.yaml"), "--lang", language)  # fmt: skip


def test_a_large_utf8_file_reads_its_accented_labels_across_check_blocks(pivgm, tmp_path, content):
    """Fails if a character split between two blocks of the UTF-8 check is taken for a bad byte."""
    rows = content.count(b"\n") - 2
    result = _validate(pivgm, tmp_path, content, "en")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{rows:,} rows, 0 error(s)" in result.stdout


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", "No se pudo leer el archivo"), ("en", "The file could not be read")],
)
def test_a_byte_that_is_not_utf8_in_a_large_file_is_reported_at_its_row(pivgm, tmp_path, content, language, words):
    """Fails if the bad byte's position in a later block of the check is miscounted (another row)."""
    lines = content.split(b"\n")
    row = len(lines) - 20  # in the last block of the check
    assert sum(len(line) + 1 for line in lines[: row - 1]) > CHECK_BYTES
    at = next(i for i in range(row - 1, 0, -1) if b"\xc3\xa9" in lines[i])  # a row with México
    lines[at] = lines[at].replace(b"\xc3\xa9", b"\xe9")  # é as Windows-1252 writes it
    result = _validate(pivgm, tmp_path, b"\n".join(lines), language)
    assert result.returncode == 1, result.stdout + result.stderr
    assert words in result.stdout and "not valid utf-8 text" in result.stdout
    assert f"row {at + 1}:" in result.stdout and f"│ {at + 1} " in result.stdout


def test_validate_says_when_a_file_is_over_the_upload_limit_that_submit_applies(pivgm, tmp_path):
    """Fails if ``pivgm validate`` calls a file valid without saying that ``pivgm submit`` will refuse it."""
    example = Path(__file__).resolve().parents[2] / "examples" / "devoluciones_2024.csv"
    size = f"{example.stat().st_size / 1e6:,.1f} MB"
    limit = {"PIVGM_MAX_UPLOAD_MB": "0.001"}
    flags = (str(example), "--flow", "DF_RETURNS", "--provider", "MX_UPM")
    for language, words in (("es", "su envío será rechazado"), ("en", "submitting it will be refused")):
        checked = pivgm("validate", *flags, "--lang", language, env=limit)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert words in checked.stdout and size in checked.stdout and "PIVGM_MAX_UPLOAD_MB" in checked.stdout
    assert "PIVGM_MAX_UPLOAD_MB" not in pivgm("validate", *flags, "--lang", "en").stdout
    refused = pivgm("submit", *flags, env=limit)
    assert refused.returncode == 1 and "the limit is 0.001 MB" in refused.stdout + refused.stderr
