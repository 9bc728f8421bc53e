"""The JSON API: dataflows, their structures, and published observations (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pivgm.catalog import DataSelection
from pivgm.cells import safe_row
from pivgm.errors import InvalidParameterError
from pivgm.web.dependencies import MAX_RECORD_ID, CatalogDep
from pivgm.web.schemas import data_public, dataflow_public, dataflow_summary_public

router = APIRouter(prefix="/api", tags=["data"])

RESERVED_PARAMETERS = {"from", "to", "format", "limit", "offset", "lang", "asOf"}


class DataFormat(StrEnum):
    json = "json"
    csv = "csv"


def dimension_filters(parameters: Mapping[str, str], multi: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Every query parameter that is not reserved selects codes of a dimension: ``SEX=F,M`` or ``SEX=F+M``."""
    filters: dict[str, list[str]] = {}
    for name in parameters:
        if name in RESERVED_PARAMETERS:
            continue
        codes = [c.strip() for value in multi[name] for c in value.replace("+", ",").split(",") if c.strip()]
        if not codes:
            raise InvalidParameterError(f"Parameter {name!r} has no code; write {name}=CODE.", parameter=name)
        filters[name] = codes
    return filters


@router.get("/dataflows", summary="List the dataflows and their published releases")
def list_dataflows(catalog: CatalogDep) -> dict[str, Any]:
    return {"dataflows": [dataflow_summary_public(s) for s in catalog.summaries()]}


@router.get("/dataflows/{dataflow_id}", summary="A dataflow's structure, codelists and reference metadata")
def get_dataflow(dataflow_id: str, catalog: CatalogDep) -> dict[str, Any]:
    return dataflow_public(catalog.summary(dataflow_id), catalog.code_counts(dataflow_id))


@router.get(
    "/data/{dataflow_id}",
    summary="Published observations of a dataflow",
    description="Filter with one parameter per dimension (`REF_AREA=MEX,GTM`; `+` also separates codes), "
    "`from` and `to` periods (`2020`, `2020-Q1`, `2020-01`), page with `limit` and `offset`, and see the data "
    "as published at a past moment with `asOf` (a future `asOf` reads as now: embargoed data stay hidden; "
    "the answer's `asOf` names the moment shown).",
    response_model=None,
)
def get_data(
    dataflow_id: str,
    request: Request,
    catalog: CatalogDep,
    start: Annotated[str | None, Query(alias="from", description="First period, e.g. 2015 or 2023-01")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last period")] = None,
    format: Annotated[DataFormat, Query(description="json or csv")] = DataFormat.json,
    limit: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_RECORD_ID)] = 0,
    as_of: Annotated[
        datetime | None, Query(alias="asOf", description="The data as published at this time (ISO 8601, UTC)")
    ] = None,
) -> Response | dict[str, Any]:
    params = request.query_params
    filters = dimension_filters(params, {k: params.getlist(k) for k in params})
    selection = DataSelection(filters=filters, start=start, end=end, limit=limit, offset=offset, as_of=as_of)
    view = catalog.data(dataflow_id, selection)
    if format is DataFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(view.table.column_names)
        for row in zip(*(view.table.column(c).to_pylist() for c in view.table.column_names), strict=True):
            writer.writerow(safe_row(row))  # free-text attributes could be formulas
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{dataflow_id}.csv"'},
        )
    return data_public(view)
