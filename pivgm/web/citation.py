"""The citation an exported chart image carries: the source in full, the licence, the address of the view
and the date of access (written by the browser on the day of the export, in the page's language)."""

from __future__ import annotations

from pivgm.catalog.explore import ExplorerView
from pivgm.web.labels import Labels


def citation(view: ExplorerView, labels: Labels, address: str) -> dict[str, str]:
    """Lines for the image; ``accessed`` keeps a ``{date}`` for the browser to fill in."""
    metadata = view.dataflow.metadata
    language = labels.language
    licence = metadata.licence.get(language)
    return {
        "source": f"{labels.t('source')}: {metadata.source.get(language)}",
        "licence": f"{labels.t('cite_licence')}: {licence}" if licence else "",
        "view": f"{labels.t('cite_view')}: {address}",
        "accessed": labels.t("cite_accessed"),
        "locale": "es-419" if language == "es" else "en-US",
    }
