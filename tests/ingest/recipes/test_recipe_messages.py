"""Every recipe error and report note has its own Spanish and English text, with the same facts in both."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from pivgm.ingest.recipes import messages

SOURCES = Path(messages.__file__).resolve().parents[2]
CATALOGUES = [("error", key, texts) for key, texts in messages.ERRORS.items()]
CATALOGUES += [("note", key, texts) for key, texts in messages.NOTES.items()]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(("kind", "key", "texts"), CATALOGUES, ids=lambda v: v if isinstance(v, str) else "")
def test_each_text_is_written_in_both_languages_with_the_same_fields(kind, key, texts):
    assert set(texts) == {"es", "en"}
    assert texts["es"] != texts["en"]
    assert _fields(texts["es"]) == _fields(texts["en"]), key


def test_every_problem_the_code_raises_has_its_texts():
    """Fails if a raise site names a problem (``document.error("...")``, ``RecipeError("...")``) or a note
    that the catalogue lacks: the user would get a KeyError instead of a message."""
    raised, noted = set(), set()
    for path in [*(SOURCES / "ingest" / "recipes").glob("*.py"), SOURCES / "workflow" / "submissions.py"]:
        text = path.read_text(encoding="utf-8")
        raised |= set(re.findall(r"(?:\.error|RecipeError)\(\s*\"([a-z-]+)\"", text))
        noted |= set(re.findall(r"\bnote\(\s*\"([a-z-]+)\"", text))
    assert len(raised) >= 20 and len(noted) >= 11
    assert raised <= set(messages.ERRORS), raised - set(messages.ERRORS)
    assert noted <= set(messages.NOTES), noted - set(messages.NOTES)
