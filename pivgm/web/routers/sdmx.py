"""SDMX REST API (structure, data, availability and schema queries) for standard SDMX clients.

One route takes every path below ``/sdmx/rest`` so that the SDMX syntax (``,`` and ``+`` in segments,
optional trailing segments, trailing slashes) is parsed by ``pivgm.sdmx.routing`` and every answer, failed
or not, is an SDMX message: errors are SDMX error messages (XML, or JSON when JSON was asked for).

Who asks is worked out (``pivgm.web.security.identify``, the dependency behind ``ActorDep``) only for queries
with ``includeDrafts=true``: public reads stay free of account look-ups and an unrelated ``Authorization``
header, and a bad token on a drafts query is answered with an SDMX error like every other failure. Answers to
``includeDrafts`` queries are private (``Cache-Control: private, no-store``) and name the providers whose
unpublished data they include in ``X-PIVGM-Includes-Drafts``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from itertools import chain
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse

from pivgm.errors import PivgmError
from pivgm.sdmx.errors import http_status, sdmx_code
from pivgm.sdmx.formats import (
    UPDATED_FORMATS,
    Format,
    carries_associations,
    check_observation_dimension,
    negotiate,
)
from pivgm.sdmx.languages import preferred_language
from pivgm.sdmx.messages import ErrorMessage, in_language
from pivgm.sdmx.query import DataQuery, SdmxQuery, StructureQuery
from pivgm.sdmx.routing import kind_of, parse
from pivgm.sdmx.service import Message, SdmxService
from pivgm.sdmx.writers import write
from pivgm.sdmx.writers.errors import render_error
from pivgm.web.dependencies import CatalogDep, get_platform
from pivgm.web.security import identify
from pivgm.workflow.draft_reading import DraftReading

log = logging.getLogger(__name__)

router = APIRouter(prefix="/sdmx/rest", tags=["sdmx"])

DESCRIPTION = """SDMX REST API (v1.5 paths for SDMX 2.1, and v2 paths), read by sdmx1, pysdmx, rsdmx and .Stat.

- Structures: `/dataflow`, `/datastructure`, `/codelist`, `/conceptscheme`, `/dataproviderscheme`, `/structure`
  + `/{agency}/{id}/{version}` with `references` (none, parents, parentsandsiblings, children, descendants,
  all, or a type) and `detail` (full, allstubs, referencestubs, referencepartial, ...). Also
  `/v2/structure/{type}/{agency}/{id}/{version}`.
- Data: `/data/{flowRef}/{key}/{providerRef}` (e.g. `/data/DF_IRREGULAR_TRANSIT/M.PAN+HND.VEN....`) with
  `startPeriod`, `endPeriod`, `updatedAfter`, `firstNObservations`, `lastNObservations`,
  `dimensionAtObservation`, `detail`; `/v2/data/dataflow/{agency}/{id}/{version}/{key}` with `c[DIM]=`.
- Availability: `/availableconstraint/{flowRef}/{key}/{providerRef}/{componentID}` and `/v2/availability/...`.
- Schemas: `/schema/dataflow/{agency}/{id}/{version}`.

Formats by `Accept` or `format=`: SDMX-ML 2.1 generic (default) and structure-specific data, SDMX-JSON 1.0
and 2.0, SDMX-CSV 1.0 and 2.0; SDMX-ML 2.1 and SDMX-JSON 1.0 and 2.0 structures. Only published data are served,
except with `includeDrafts=true` on data and availability queries: sent with the API token of a national
submitter or approver (`Authorization: Bearer pivgm_...`), the answer is the published data with that
account's providers' newest unpublished versions (not rejected, not withdrawn) in place of their published
ones; other providers' data stay as published. Such answers carry `Cache-Control: private, no-store` and
`X-PIVGM-Includes-Drafts: <provider ids>` when a draft was included. Without a token: 401; a signed-in user
without a national role: 403.
"""

DRAFTS_HEADER = "X-PIVGM-Includes-Drafts"


def _asks_for_drafts(parameters: dict[str, str]) -> bool:
    """Whether the request names ``includeDrafts`` with any value but false (its answer is then private)."""
    return any(
        name.lower() == "includedrafts" and value.strip().lower() not in {"", "false", "0", "no"}
        for name, value in parameters.items()
    )


def _private(headers: dict[str, str]) -> dict[str, str]:
    """An answer that depends on who asks: never stored by shared caches (nor by the browser)."""
    return {**headers, "Cache-Control": "private, no-store", "Vary": "Accept, Authorization"}


def _error_response(error: PivgmError, accept: str | None, private: bool = False) -> Response:
    status = http_status(error)
    body, media_type = render_error(ErrorMessage(sdmx_code(error), status, error.message), accept)
    return Response(body, status_code=status, media_type=media_type, headers=_private({}) if private else None)


def _headers(format_: Format, message: Message, private: bool) -> dict[str, str]:
    headers = {"Vary": "Accept", "Content-Disposition": f'inline; filename="sdmx.{format_.extension}"'}
    if not private:
        return headers
    drafts = getattr(message, "drafts", ())
    return _private({**headers, DRAFTS_HEADER: ",".join(drafts)} if drafts else headers)


def _drafts(request: Request, query: SdmxQuery) -> DraftReading | None:
    """Draft reading for a query that includes drafts, once its asker is identified (401 for a bad token,
    401/403 for anyone without a national account's token); None otherwise: only published data are read."""
    if not getattr(query, "include_drafts", False):
        return None
    flow = getattr(query, "flow", None)
    return DraftReading.for_actor(get_platform(request), identify(request).actor, flow.id if flow else "")


@router.get("", include_in_schema=False, response_model=None)
def sdmx_root(request: Request, catalog: CatalogDep) -> Response:
    """The entry point itself: an SDMX error listing the resources."""
    return sdmx_query(request, catalog, "")


@router.get("/{path:path}", summary="SDMX REST queries", description=DESCRIPTION, response_model=None)
def sdmx_query(
    request: Request,
    catalog: CatalogDep,
    path: Annotated[str, Path(description="e.g. dataflow/PIVGM/all/latest or data/DF_MIG_STOCK/A.MEX...")],
) -> Response:
    parameters = dict(request.query_params)
    accept = " ".join(filter(None, [request.headers.get("accept"), parameters.get("format")]))
    private = _asks_for_drafts(parameters)
    try:
        query = parse(path, parameters)
        format_ = negotiate(kind_of(query), request.headers.get("accept"), parameters.get("format"))
        check_observation_dimension(format_, getattr(query, "dimension_at_observation", "TIME_PERIOD"))
        if isinstance(query, DataQuery) and format_.name in UPDATED_FORMATS:
            query = replace(query, updated=True)  # the format has a column for each observation's last update
        if isinstance(query, StructureQuery) and carries_associations(format_, query.resource, query.references):
            query = replace(query, associations=True)
        message = SdmxService(catalog, _drafts(request, query)).answer(query)
        message = in_language(message, preferred_language(request.headers.get("accept-language")))
        body = iter(write(message, format_.name))
        first = next(body, b"")  # a writer's failure on the first chunk is still an SDMX error
    except PivgmError as error:
        return _error_response(error, accept, private)
    except Exception:  # a bug: still an SDMX error message, and logged
        log.exception("unexpected error answering the SDMX query %s", request.url)
        failure = PivgmError("Unexpected error; it has been logged. Please report it.")
        failure.status_code = 500
        return _error_response(failure, accept, private)
    headers = _headers(format_, message, private)
    return StreamingResponse(chain([first], body), media_type=format_.content_type, headers=headers)
