"""The public read side: what is published, and queries over it. Sees release snapshots only."""

from pivgm.catalog.service import Catalog, DataflowSummary, DataSelection, DataView

__all__ = ["Catalog", "DataSelection", "DataView", "DataflowSummary"]
