"""The cell-key method on the real ICE records: the same cell gets the same noise in every table and run, the
noise is the one the published perturbation table gives for the cell's key (recomputed here from the raw
lines), and the perturbation table has the properties it claims."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.backends import SERVER_URL, settings_for
from tests.executable import run_pivgm
from tests.microdata.helpers import ICE, RECIPE, SEX, raw_lines, read_submission

FIELDS = [
    "Departed Date", "Date of Birth", "Gender", "Country of Citizenship", "Event Number",
    "Most Serious Conviction", "Case Category",
]  # fmt: skip
RULES = "protection: 1\ndefault: {method: cell_key, max_noise: 2, variance: 1, small: 2}\n"
NAMES = {"MEX": "MEXICO", "GTM": "GUATEMALA", "HND": "HONDURAS", "SLV": "EL SALVADOR", "IND": "INDIA"}


def _recipes(folder: Path) -> dict[str, Path]:
    """The citizenship x sex table, and a citizenship-only table of the same records."""
    raw = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
    raw["record_key"] = FIELDS
    by_sex = folder / "by-sex.yaml"
    by_sex.write_text(yaml.safe_dump(raw), encoding="utf-8")
    del raw["columns"]["SEX"], raw["values"]["SEX"]
    raw["constants"]["SEX"] = "_T"
    raw["totals"] = ["CITIZENSHIP"]
    citizenship = folder / "citizenship.yaml"
    citizenship.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return {"by-sex": by_sex, "citizenship": citizenship}


def _aggregate(
    folder: Path, name: str, recipe: Path, inputs: list[Path], secret: str = "", *extra: str
) -> tuple[dict, dict]:
    out, report = folder / f"{name}.csv", folder / f"{name}.json"
    result = run_pivgm(
        settings_for(folder / "data"), "aggregate", "--flow", "DF_RETURNS", "--provider", "US_DHS",
        *(arg for path in inputs for arg in ("--input", str(path))), "--recipe", str(recipe),
        "--protection", str(folder / "rules.yaml"), "--out", str(out), "--report", str(report),
        *extra, env={"PIVGM_RECORD_KEY_SECRET": secret} if secret else None, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = {(r["CITIZENSHIP"], r["SEX"], r["TIME_PERIOD"]): r for r in read_submission(out)}
    return rows, json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, dict]]:
    folder = tmp_path_factory.mktemp("cellkey")
    (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
    recipes = _recipes(folder)
    return {
        "by-sex": _aggregate(folder, "by-sex", recipes["by-sex"], [ICE[0].parent]),
        "citizenship": _aggregate(folder, "citizenship", recipes["citizenship"], list(reversed(ICE))),
        "secret": _aggregate(folder, "secret", recipes["by-sex"], [ICE[0].parent], secret="oficina"),
        "folder": folder,  # type: ignore[dict-item]
    }


def test_the_same_cell_gets_the_same_noise_in_another_table_and_run(runs):
    """Fails if a cell key depended on the table, on the order of the files or on anything but its records."""
    by_sex, _ = runs["by-sex"]
    citizenship, _ = runs["citizenship"]
    assert len(citizenship) > 500
    for (code, sex, month), row in citizenship.items():
        assert sex == "_T"
        assert row["OBS_VALUE"] == by_sex[(code, "_T", month)]["OBS_VALUE"], (code, month)


def _noise(ptable: dict, count: int, key: int) -> int:
    row = min(count, ptable["max_noise"] + ptable["small"] + 1)
    (noise,) = [r["noise"] for r in ptable["rows"] if r["count"] == row and r["lower"] <= key < r["upper"]]
    return noise


def test_each_count_moves_by_the_noise_its_cell_key_selects(runs):
    """Record keys and cell keys recomputed here from the raw lines: fails if the record key, the cell key
    or the ptable lookup differs from what is documented, or if a total is not perturbed as a cell."""
    rows, report = runs["by-sex"]
    ptable = report["protection"]["ptable"]
    counts: Counter[tuple[str, str, str]] = Counter()
    keys: Counter[tuple[str, str, str]] = Counter()
    for path in ICE:
        for fields in raw_lines(path):
            month, _day, year = fields[0].split("/")
            digest = hashlib.md5("\x1f".join(["", *fields]).encode("utf-8")).hexdigest()
            for sex in (SEX[fields[2]], "_T"):
                cell = (fields[3], sex, f"{year}-{int(month):02d}")
                counts[cell] += 1
                keys[cell] += int(digest[:6], 16)
    checked = moved = 0
    for (name, sex, month), count in counts.items():
        code = next((c for c, n in NAMES.items() if n == name), None)
        if code is None or not "2012-01" <= month <= "2019-06":
            continue
        published = int(rows[(code, sex, month)]["OBS_VALUE"])
        assert published == count + _noise(ptable, count, keys[(name, sex, month)] % ptable["cell_keys"])
        checked += 1
        moved += published != count
    assert checked > 500 and moved > checked / 4


def test_no_small_count_is_published_and_every_cell_is_free(runs):
    rows, report = runs["by-sex"]
    values = [int(row["OBS_VALUE"]) for row in rows.values()]
    assert not {1, 2} & set(values) and min(values) >= 0
    assert {row["CONF_STATUS"] for row in rows.values()} == {"F"}
    assert report["protection"]["perturbed"] > 1000


def test_the_perturbation_table_is_unbiased_bounded_and_of_the_stated_variance(runs):
    """Fails if a row's probabilities do not add up, if the noise is biased, exceeds max_noise, makes a count
    negative or small, or has another variance where the count leaves room for it."""
    ptable = runs["by-sex"][1]["protection"]["ptable"]
    last = ptable["max_noise"] + ptable["small"] + 1
    assert sorted({r["count"] for r in ptable["rows"]}) == list(range(last + 1))
    for count in range(last + 1):
        rows = [r for r in ptable["rows"] if r["count"] == count]
        assert abs(sum(r["probability"] for r in rows) - 1) < 1e-9
        assert abs(sum(r["probability"] * r["noise"] for r in rows)) < 1e-9
        variance = sum(r["probability"] * r["noise"] ** 2 for r in rows)
        if count > ptable["max_noise"] + ptable["small"]:
            assert abs(variance - ptable["variance"]) < 1e-9
        for row in rows:
            assert abs(row["noise"]) <= ptable["max_noise"] and row["probability"] > 0
            assert count + row["noise"] == 0 or count + row["noise"] > ptable["small"]
        ordered = sorted(rows, key=lambda r: r["lower"])  # the key intervals cut [0, cell_keys) in order
        assert ordered[0]["lower"] == 0 and ordered[-1]["upper"] == ptable["cell_keys"]
        assert all(a["upper"] == b["lower"] for a, b in itertools.pairwise(ordered))
        for row in ordered:
            assert abs((row["upper"] - row["lower"]) / ptable["cell_keys"] - row["probability"]) < 1e-6
    assert [r["noise"] for r in ptable["rows"] if r["count"] == 0] == [0]


def test_the_office_secret_changes_the_noise(runs):
    """Fails if the secret is not part of the record keys: anyone with the records could then recompute them."""
    by_sex, _ = runs["by-sex"]
    secret, _ = runs["secret"]
    assert by_sex.keys() == secret.keys()
    assert sum(by_sex[cell]["OBS_VALUE"] != secret[cell]["OBS_VALUE"] for cell in by_sex) > len(by_sex) / 10


@pytest.mark.skipif(bool(SERVER_URL), reason="no records involved: runs once, in the SQLite pass")
@pytest.mark.spark
@pytest.mark.slow
def test_spark_computes_the_same_record_keys_and_noise(runs):
    """Fails if the engines hash, sum or look up keys differently (MD5 text, hexadecimal digits, sums)."""
    folder = runs["folder"]
    spark = _aggregate(folder, "spark", folder / "by-sex.yaml", [ICE[0].parent], "", "--engine", "spark")
    assert spark[0] == runs["by-sex"][0]
    assert spark[1]["protection"] == runs["by-sex"][1]["protection"]


def test_the_cell_key_method_without_a_record_key_is_refused(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    result = run_pivgm(
        settings_for(tmp_path / "data"), "aggregate", "--flow", "DF_RETURNS", "--provider", "US_DHS",
        "--input", str(ICE[0]), "--recipe", str(RECIPE), "--protection", str(tmp_path / "rules.yaml"),
        "--out", str(tmp_path / "out.csv"),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "record_key" in result.stderr
    assert not (tmp_path / "out.csv").exists()
