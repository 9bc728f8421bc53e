"""The parsed copy of the standard kept in the data folder: used only when made from the same files, never
stale; a copy that cannot be read is ignored and written again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pivgm.structures import STRUCTURES_DIR, Standard
from pivgm.structures.cache import CACHE_FILE, cached_standard
from pivgm.structures.loader import parse_standard


def never_parsed(directory: Path) -> Standard:
    raise AssertionError(f"{directory} was parsed although its copy was current")


@pytest.fixture
def standard_dir(tmp_path: Path) -> Path:
    """A copy of the standard's files, free to edit."""
    return Path(shutil.copytree(STRUCTURES_DIR, tmp_path / "standard", ignore=shutil.ignore_patterns("__pycache__")))


def test_a_second_load_reads_the_copy_the_first_wrote(standard_dir: Path, tmp_path: Path):
    first = cached_standard(standard_dir, tmp_path / "cache", parse_standard)
    assert (tmp_path / "cache" / CACHE_FILE).is_file()
    assert cached_standard(standard_dir, tmp_path / "cache", never_parsed) == first


def test_a_changed_file_of_the_standard_is_seen_at_the_next_load(standard_dir: Path, tmp_path: Path):
    cached_standard(standard_dir, tmp_path / "cache", parse_standard)
    codelist = standard_dir / "codelists" / "CL_SEX.yaml"
    codelist.write_text(codelist.read_text(encoding="utf-8").replace("en: Sex}", "en: Sex at birth}"), "utf-8")

    changed = cached_standard(standard_dir, tmp_path / "cache", parse_standard)

    assert changed.codelist("CL_SEX").name.get("en") == "Sex at birth"
    again = cached_standard(standard_dir, tmp_path / "cache", never_parsed)  # the new copy replaced the old one
    assert again.codelist("CL_SEX").name.get("en") == "Sex at birth"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda content: content[: len(content) // 2], id="truncated"),
        pytest.param(lambda content: content.split(b"\n", 1)[0] + b"\nnot a pickle", id="garbage after its key"),
        pytest.param(lambda content: b"", id="empty"),
    ],
)
def test_a_copy_that_cannot_be_read_is_ignored_and_written_again(damage, standard_dir: Path, tmp_path: Path):
    expected = cached_standard(standard_dir, tmp_path / "cache", parse_standard)
    copy = tmp_path / "cache" / CACHE_FILE
    copy.write_bytes(damage(copy.read_bytes()))

    assert cached_standard(standard_dir, tmp_path / "cache", parse_standard) == expected
    assert cached_standard(standard_dir, tmp_path / "cache", never_parsed) == expected
    assert not [p.name for p in copy.parent.iterdir() if p.name != CACHE_FILE]  # no temporary file left


def test_a_folder_that_cannot_hold_the_copy_still_gives_the_standard(standard_dir: Path, tmp_path: Path):
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    assert cached_standard(standard_dir, blocked / "cache", parse_standard).codelist("CL_SEX").id == "CL_SEX"
