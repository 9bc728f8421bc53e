"""The JSON API: dataflows, their structures, and published observations (JSON or CSV)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from pivgm.catalog import DataSelection
from pivgm.errors import InvalidParameterError
from pivgm.web.data_csv import data_csv
from pivgm.web.data_json import CHUNK_ROWS, data_json
from pivgm.web.dependencies import MAX_OFFSET, CatalogDep
from pivgm.web.public import public_base
from pivgm.web.schemas import dataflow_public, dataflow_summary_public

router = APIRouter(prefix="/api", tags=["data"])

CSV_TYPE = "text/csv; charset=utf-8"
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


def page_size(limit: int | None, maximum: int) -> int:
    """The observations one answer holds: ``limit``, or the maximum page when none is asked for."""
    if limit is None:
        return maximum
    if limit > maximum:
        raise InvalidParameterError(
            f"limit={limit} is over the largest page, {maximum} observations; ask for limit={maximum} or less "
            "and follow the answer's `next` link.",
            parameter="limit",
        )
    return limit


def page_links(request: Request, offset: int, limit: int, total: int) -> dict[str, str | None]:
    """The previous and next pages of the same selection: the request's own parameters with another offset,
    under the configured public address (site-relative when unset), never under the ``Host`` header."""

    def link(start: int) -> str:
        parameters = [(k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}]
        parameters += [("limit", str(limit)), ("offset", str(start))]
        return f"{public_base(request)}{request.url.path}?{urlencode(parameters)}"

    return {
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }


def link_header(links: Mapping[str, str | None]) -> str:
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)


@router.get(
    "/data/{dataflow_id}",
    summary="Published observations of a dataflow",
    description="Filter with one parameter per dimension (`REF_AREA=MEX,GTM`; `+` also separates codes; "
    "`CITIZENSHIP=*` is every code, as in the explorer's addresses), "
    "`from` and `to` periods (`2020`, `2020-Q1`, `2020-01`), and see the data as published at a past moment "
    "with `asOf` (a future `asOf` reads as now: embargoed data stay hidden; the answer's `asOf` names the "
    "moment shown). Answers are pages in key order (dimensions, then period): `limit` observations from "
    "`offset`; without `limit` one page of the largest size (`PIVGM_API_MAX_PAGE`, 10,000 by default); a "
    "larger `limit` is a 422. JSON answers carry `total`, `limit` and the `next` and `previous` page links "
    "(null at either end); CSV answers carry them in a `Link` header and `X-Total-Count`. Follow `next` until "
    "it is null: the pages together are the whole selection, each observation once.",
    response_model=None,
)
def get_data(
    dataflow_id: str,
    request: Request,
    catalog: CatalogDep,
    start: Annotated[str | None, Query(alias="from", description="First period, e.g. 2015 or 2023-01")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last period")] = None,
    format: Annotated[DataFormat, Query(description="json or csv")] = DataFormat.json,
    limit: Annotated[
        int | None, Query(ge=1, description="Observations per page, at most the largest page (see above)")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    as_of: Annotated[
        datetime | None, Query(alias="asOf", description="The data as published at this time (ISO 8601, UTC)")
    ] = None,
) -> Response:
    params = request.query_params
    filters = dimension_filters(params, {k: params.getlist(k) for k in params})
    size = page_size(limit, catalog.published.settings.api_max_page)
    selection = DataSelection(filters=filters, start=start, end=end, limit=size, offset=offset, as_of=as_of)
    view = catalog.data(dataflow_id, selection)
    links = page_links(request, offset, size, view.total)
    streamed = view.table.num_rows > CHUNK_ROWS
    if format is DataFormat.csv:
        headers = {
            "Content-Disposition": f'attachment; filename="{dataflow_id}.csv"',
            "X-Total-Count": str(view.total),
            **({"Link": header} if (header := link_header(links)) else {}),
        }
        if streamed:  # lines written by DuckDB, off the interpreter's lock, as JSON below
            lines = data_csv(view.table, catalog.csv_rows(view.table))
            return StreamingResponse(lines, media_type=CSV_TYPE, headers=headers)
        return Response(b"".join(data_csv(view.table)), media_type=CSV_TYPE, headers=headers)
    # Encoded here, in the threadpool, not on the event loop. A streamed answer's observations are written by
    # DuckDB, off the interpreter's lock (its fixed cost, some 2.5 ms, outweighs msgspec's on small answers).
    if streamed:
        chunks = data_json(view, size, links, catalog.json_rows(view.table))
        return StreamingResponse(chunks, media_type="application/json")
    return Response(b"".join(data_json(view, size, links)), media_type="application/json")
