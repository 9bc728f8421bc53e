from pathlib import Path

from pivgm.structures import load_standard
from pivgm.structures.document import standard_markdown

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "standard.md"


def test_docs_standard_md_describes_the_standard_as_it_is():
    expected = standard_markdown(load_standard())
    assert DOCUMENT.read_text(encoding="utf-8") == expected, (
        "docs/standard.md is out of date: run `python -m pivgm.structures.document > docs/standard.md`"
    )


def test_every_dataflow_and_codelist_is_documented():
    text = DOCUMENT.read_text(encoding="utf-8")
    standard = load_standard()
    for identifier in [*standard.dataflows, *standard.codelists]:
        assert f"`{identifier}`" in text
