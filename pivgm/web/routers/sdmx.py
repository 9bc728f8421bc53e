"""SDMX REST API (structure, data, availability and schema queries) for standard SDMX clients.

One route takes every path below ``/sdmx/rest`` so that the SDMX syntax (``,`` and ``+`` in segments,
optional trailing segments, trailing slashes) is parsed by ``pivgm.sdmx.routing`` and every answer, failed
or not, is an SDMX message: errors are SDMX error messages (XML, or JSON when JSON was asked for).
"""

from __future__ import annotations

import logging
from itertools import chain
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse

from pivgm.errors import PivgmError
from pivgm.sdmx.errors import http_status, sdmx_code
from pivgm.sdmx.formats import Format, check_observation_dimension, negotiate
from pivgm.sdmx.messages import ErrorMessage
from pivgm.sdmx.routing import kind_of, parse
from pivgm.sdmx.service import SdmxService
from pivgm.sdmx.writers import write
from pivgm.sdmx.writers.errors import render_error
from pivgm.web.dependencies import CatalogDep

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
and 2.0, SDMX-CSV 1.0 and 2.0; SDMX-ML 2.1 and SDMX-JSON 1.0 structures. Only published data are served.
"""


def _error_response(error: PivgmError, accept: str | None) -> Response:
    status = http_status(error)
    body, media_type = render_error(ErrorMessage(sdmx_code(error), status, error.message), accept)
    return Response(body, status_code=status, media_type=media_type)


def _headers(format_: Format) -> dict[str, str]:
    return {"Vary": "Accept", "Content-Disposition": f'inline; filename="sdmx.{format_.extension}"'}


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
    try:
        query = parse(path, parameters)
        format_ = negotiate(kind_of(query), request.headers.get("accept"), parameters.get("format"))
        check_observation_dimension(format_, getattr(query, "dimension_at_observation", "TIME_PERIOD"))
        message = SdmxService(catalog).answer(query)
        body = iter(write(message, format_.name))
        first = next(body, b"")  # a writer's failure on the first chunk is still an SDMX error
    except PivgmError as error:
        return _error_response(error, accept)
    except Exception:  # a bug: still an SDMX error message, and logged
        log.exception("unexpected error answering the SDMX query %s", request.url)
        failure = PivgmError("Unexpected error; it has been logged. Please report it.")
        failure.status_code = 500
        return _error_response(failure, accept)
    return StreamingResponse(chain([first], body), media_type=format_.content_type, headers=_headers(format_))
