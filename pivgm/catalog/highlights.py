"""Headline views of the home page, as data (``highlights.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pivgm.model import LocalizedText

HIGHLIGHTS_FILE = Path(__file__).resolve().parent / "highlights.yaml"


@dataclass(frozen=True)
class Highlight:
    """A selection summed by period (and by ``series`` when given), drawn as a bar or line chart."""

    dataflow_id: str
    title: LocalizedText
    filters: dict[str, list[str]]
    series: str | None = None
    start: str | None = None
    annual: bool = False
    mark: str = "line"


@cache
def load_highlights() -> dict[str, Highlight]:
    import yaml  # loaded for the home page, not by every command that opens the catalog

    with open(HIGHLIGHTS_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    return {
        dataflow_id: Highlight(
            dataflow_id=dataflow_id,
            title=LocalizedText(entry["title"]),
            filters={k: [str(c) for c in v] for k, v in (entry.get("filters") or {}).items()},
            series=entry.get("series"),
            start=str(entry["from"]) if entry.get("from") else None,
            annual=bool(entry.get("annual", False)),
            mark=entry.get("mark", "line"),
        )
        for dataflow_id, entry in raw.items()
    }
