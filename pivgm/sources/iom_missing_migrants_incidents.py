"""IOM Missing Migrants Project: one observation per incident, with its location.

gdidata drops IOM's incident ids, so each incident gets a stable id of its own: the incident date and its
ordinal among that date's incidents in file order (``2014-01-06-001``). Ids stay stable as long as IOM's
export keeps its order; a re-vendored file with new incidents on an existing date may renumber that date.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.sources import iom_missing_migrants as mmp
from pivgm.sources.base import VENDORED_DIR, SourceImporter

PLAIN_INCIDENT = "Incident"


def incident_ids(dates: pa.Array) -> pa.Array:
    """``YYYY-MM-DD-NNN``: the date and the incident's ordinal within that date, in file order."""
    seen: Counter[str] = Counter()
    ids = []
    for day in pc.strftime(dates, "%Y-%m-%d").to_pylist():
        seen[day] += 1
        ids.append(f"{day}-{seen[day]:03d}")
    return pa.array(ids, pa.string())


def citizenships(nationalities: pa.Array) -> pa.Array:
    """The comma-separated ISO3 nationalities, with gdidata's special codes translated (UNK -> _U)."""
    return pa.array(
        [",".join(mmp.SPECIAL_AREAS.get(code, code) for code in cell.split(",")) for cell in nationalities.to_pylist()],
        pa.string(),
    )


def comments(incident_types: pa.Array, causes: pa.Array, cause_codes: pa.Array) -> pa.Array:
    """IOM's incident type when it is not a plain incident, and the listed causes when there are several."""
    notes = []
    for kind, cause, code in zip(incident_types.to_pylist(), causes.to_pylist(), cause_codes.to_pylist(), strict=True):
        parts = [f"IOM incident type: {kind}"] if kind != PLAIN_INCIDENT else []
        if code == mmp.SEVERAL_CAUSES:
            parts.append(f"IOM causes: {cause}")
        notes.append("; ".join(parts) or None)
    return pa.array(notes, pa.string())


def _text(values: pa.Array) -> pa.Array:
    """Numbers as attribute text; an empty cell stays empty (unknown, not zero)."""
    return pc.cast(values, pa.string())


class IomMissingMigrantsIncidents(SourceImporter):
    """Each incident of dead or missing migrants, with coordinates, place, survivors and citizenships."""

    dataflow_id = "DF_MISSING_MIGRANTS_INCIDENTS"
    provider_id = "IOM_MMP"
    provider_name = mmp.PROVIDER_NAME
    files = (mmp.FILE,)
    source_url = mmp.SOURCE_URL
    licence = mmp.LICENCE
    citation = mmp.CITATION

    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        (path,) = self.paths(directory)
        table = mmp.read_incidents(path)
        coded = mmp.coded_dimensions(path, table)
        column = {name: table.column(name).combine_chunks() for name in table.column_names}
        location = column["location"]
        return pa.table(
            {
                "FREQ": pa.array(["M"] * table.num_rows, pa.string()),
                "INCIDENT": incident_ids(column["t"]),
                **coded,
                "TIME_PERIOD": mmp.months(table),
                "OBS_VALUE": pc.cast(column["dead"], pa.float64()),
                "LATITUDE": _text(column["lat"]),
                "LONGITUDE": _text(column["lon"]),
                "LOCATION_DESCRIPTION": pc.if_else(pc.equal(location, ""), None, location),
                "SURVIVORS": _text(column["surv"]),
                "CITIZENSHIP": citizenships(column["nat"]),
                "OBS_COMMENT": comments(column["type"], column["cause"], coded["CAUSE_OF_DEATH"]),
            }
        )
