"""Pull a dataflow's published data from another SDMX REST service (another PIVGM instance, or any SDMX
2.1 service) and load it here as a new version whose provider and provenance are the remote service.

The remote structure is fetched first and its dimensions checked against the local dataflow's; the data
are fetched as SDMX-CSV (or SDMX-ML when the service has no CSV), saved with their checksums, read by the
submission readers, and loaded by the same atomic steps as every source (``loading.load_source``): the
remote's codes are checked against the local codelists, and nothing is visible until the commit.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from lxml import etree

from pivgm.accounts.actor import Actor
from pivgm.errors import NotFoundError, PivgmError, SourceFormatError
from pivgm.ingest.readers import read_file
from pivgm.model import Dataflow
from pivgm.model.periods import parse_period
from pivgm.records import Records
from pivgm.sources.base import SourceImporter
from pivgm.structures import Standard
from pivgm.warehouse import Warehouse
from pivgm.workflow.changes import Changes, compare
from pivgm.workflow.loading import Checkpoint, LoadResult, Scope, _no_checkpoint, load_source, merged_table

DATA_ACCEPT = (
    "application/vnd.sdmx.data+csv;version=2.0.0, "
    "application/vnd.sdmx.data+csv;version=1.0.0;q=0.9, "
    "application/vnd.sdmx.structurespecificdata+xml;version=2.1;q=0.8, "
    "application/vnd.sdmx.genericdata+xml;version=2.1;q=0.7"
)
STRUCTURE_ACCEPT = "application/vnd.sdmx.structure+xml;version=2.1"
STRUCTURE_FILE = "structure.xml"
TIMEOUT_SECONDS = 120.0


class RemoteError(PivgmError):
    """The remote SDMX service could not be reached or answered with an error."""

    status_code = 502
    exit_code = 7
    code = "remote-error"


class IncompleteError(RemoteError):
    """The answer was cut: fewer bytes than announced, or fewer observations than the service said it has."""

    exit_code = 5
    code = "incomplete-pull"


@dataclass(frozen=True)
class PullRequest:
    """What to pull: the service's REST entry point, a dataflow id, a key and a period range."""

    url: str
    dataflow_id: str
    key: str = "all"
    start: str | None = None
    end: str | None = None
    provider_id: str | None = None

    @property
    def base(self) -> str:
        return self.url.rstrip("/")

    def data_url(self) -> str:
        return f"{self.base}/data/{quote(self.dataflow_id)}/{quote(self.key, safe='.+*')}"

    def availability_url(self) -> str:
        return f"{self.base}/availableconstraint/{quote(self.dataflow_id)}/{quote(self.key, safe='.+*')}"

    def scope(self, dataflow: Dataflow) -> Scope | None:
        """The rows of the provider's data this pull replaces: those its key and period range select (None:
        all of them, a pull of everything)."""
        codes = [] if self.key in ("all", "*", "") else [part.split("+") for part in self.key.split(".")]
        if not any(c != [""] for c in codes) and not self.start and not self.end:
            return None
        dimensions = list(dataflow.structure.dimension_ids)
        time = dataflow.structure.time_dimension
        start = parse_period(self.start).start if self.start else None
        end = parse_period(self.end).end if self.end else None

        def covered(table: pa.Table) -> pa.Array:
            mask = pa.array([True] * table.num_rows)
            for dimension, wanted in zip(dimensions, codes, strict=False):
                if wanted != [""]:
                    mask = pc.and_(mask, pc.is_in(table.column(dimension).cast(pa.string()), pa.array(wanted)))
            if start or end:
                periods = {p: parse_period(p) for p in pc.unique(table.column(time)).to_pylist() if p}
                inside = [
                    p for p, v in periods.items() if (not start or v.start >= start) and (not end or v.end <= end)
                ]
                mask = pc.and_(mask, pc.is_in(table.column(time), pa.array(inside, pa.string())))
            return mask

        return covered

    def structure_url(self) -> str:
        return f"{self.base}/dataflow/all/{quote(self.dataflow_id)}/latest?references=children"

    def provider(self) -> str:
        """The given provider id, or one made from the service's address (``REMOTE_HOST_PORT``)."""
        if self.provider_id:
            return self.provider_id
        netloc = urlsplit(self.url).netloc or self.url
        return ("REMOTE_" + re.sub(r"[^A-Za-z0-9]+", "_", netloc).strip("_").upper())[:64]


def _check(response: httpx.Response, url: str) -> None:
    if response.status_code == 404:
        raise NotFoundError(f"The remote service has no results for {response.request.url}.", url=url)
    if response.status_code >= 400:
        response.read()
        raise RemoteError(f"{response.request.url} answered {response.status_code}: {response.text[:300]}", url=url)


def _fetch(
    client: httpx.Client, url: str, accept: str, target: Path, params: dict[str, str] | None = None
) -> httpx.Response:
    """GET ``url`` into the file ``target``, streamed (a pull may be large); the response's headers."""
    try:
        with client.stream("GET", url, params=params, headers={"Accept": accept}) as response:
            _check(response, url)
            with open(target, "wb") as sink:
                for chunk in response.iter_bytes():
                    sink.write(chunk)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and response.num_bytes_downloaded != int(declared):
                raise IncompleteError(
                    f"{url} announced {int(declared):,} bytes but sent {response.num_bytes_downloaded:,}: the answer "
                    "was cut. Nothing was loaded; pull again.",
                    url=url,
                )
            return response
    except httpx.HTTPError as error:
        raise RemoteError(f"Cannot reach {url}: {error}. Check the URL and that the service is up.") from None


def _parse(structure: bytes, url: str) -> etree._Element:
    try:
        return etree.fromstring(structure)
    except etree.XMLSyntaxError as error:
        raise SourceFormatError(f"the structure message is not XML ({error}).", file=url) from None


def structure_dimensions(structure: bytes, structure_id: str, url: str) -> list[str]:
    """The dimension ids, in key order, of the data structure ``structure_id`` in a structure message."""
    found = [s for s in _parse(structure, url).iter("{*}DataStructure") if s.get("id") == structure_id]
    if not found:
        raise SourceFormatError(f"the structure message lacks the data structure {structure_id}.", file=url)
    dimensions = found[0].findall(".//{*}DimensionList/{*}Dimension")
    return [d.get("id", "") for d in sorted(dimensions, key=lambda d: int(d.get("position", "0")))]


def remote_dimensions(structure: bytes, dataflow_id: str, url: str) -> list[str]:
    """The dimension ids, in key order, of the remote dataflow's data structure."""
    flows = [f for f in _parse(structure, url).iter("{*}Dataflow") if f.get("id") == dataflow_id]
    reference = flows[0].find("{*}Structure/Ref") if flows else None
    if reference is None:
        raise SourceFormatError(f"the structure message has no dataflow {dataflow_id} with its DSD.", file=url)
    return structure_dimensions(structure, reference.get("id", ""), url)


def _check_dimensions(remote: list[str], dataflow: Dataflow, url: str) -> None:
    local = list(dataflow.structure.dimension_ids)
    if remote != local:
        raise SourceFormatError(
            f"the remote {dataflow.id} has dimensions {'.'.join(remote)} but here it has {'.'.join(local)}; "
            "only dataflows of the same structure can be pulled.",
            file=url,
        )


def observation_table(path: Path, dataflow: Dataflow) -> pa.Table:
    """A data message read into the dataflow's columns: strings, ``OBS_VALUE`` as numbers, empty text
    as null (so defaults apply), deleted observations (SDMX action ``D``) left out."""
    raw = read_file(path)
    table = raw.table
    if raw.actions is not None:
        table = table.filter(pc.not_equal(pc.fill_null(raw.actions, "I"), "D"))
    columns = {}
    measure = dataflow.structure.measure.id
    for name in dataflow.structure.column_ids:
        if name not in table.column_names:
            continue
        column = table.column(name).cast(pa.string())
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        if name == measure:
            try:
                column = pc.replace_substring(column, "NaN", "nan").cast(pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise SourceFormatError(f"{measure} holds a value that is not a number.", file=path.name) from None
        columns[name] = column
    return pa.table(columns)


class RemoteSource(SourceImporter):
    """The files fetched from a remote service, read like any source (one subclass per pull)."""

    data_file: ClassVar[str] = "data.csv"
    dataflow: ClassVar[Dataflow]
    announced: ClassVar[int | None] = None  # observations the service's availability query announced

    def read(self, directory: Path = Path()) -> pa.Table:
        table = observation_table(directory / self.data_file, self.dataflow)
        if self.announced is not None and table.num_rows != self.announced:
            raise IncompleteError(
                f"{self.source_url} announced {self.announced:,} observations for this query but sent "
                f"{table.num_rows:,}: the answer was cut. Nothing was loaded; pull again.",
                url=self.source_url,
            )
        return table


def announced_observations(message: bytes) -> int | None:
    """The observation count an availability answer announces (``obs_count``), if it says one."""
    try:
        root = etree.fromstring(message)
    except etree.XMLSyntaxError:
        return None
    for annotation in root.iter("{*}Annotation"):
        if annotation.get("id") == "obs_count":
            for child in ("{*}AnnotationTitle", "{*}AnnotationText"):
                text = "".join(annotation.findtext(f".//{child}") or "").strip()
                if text.isdigit():
                    return int(text)
    return None


def _announced(http: httpx.Client, request: PullRequest, params: dict[str, str], target: Path) -> int | None:
    """What the service's availability query says the data query will send; None if it cannot say."""
    try:
        _fetch(http, request.availability_url(), STRUCTURE_ACCEPT, target, {**params, "mode": "exact"})
    except (PivgmError, OSError):
        return None  # not every SDMX service answers availability queries: the count is then not checked
    return announced_observations(target.read_bytes())


def _importer(
    request: PullRequest, dataflow: Dataflow, data_file: str, source: str, announced: int | None
) -> SourceImporter:
    attributes = {
        "announced": announced,
        "id": source[:128],
        "dataflow_id": dataflow.id,
        "dataflow": dataflow,
        "provider_id": request.provider(),
        "provider_name": {
            "es": f"Servicio SDMX remoto {request.base}",
            "en": f"Remote SDMX service {request.base}",
        },
        "files": (STRUCTURE_FILE, data_file),
        "data_file": data_file,
        "source_url": request.base,
        "citation": f"Pulled from {request.data_url()}",
    }
    importer: SourceImporter = type("PulledSource", (RemoteSource,), attributes)()
    return importer


def _fetched(request: PullRequest, dataflow: Dataflow, client: httpx.Client | None, directory: Path) -> RemoteSource:
    """Fetch the structure (checked against ``dataflow``), the announced count and the data into ``directory``."""
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True)
    try:
        _fetch(http, request.structure_url(), STRUCTURE_ACCEPT, directory / STRUCTURE_FILE)
        remote = remote_dimensions((directory / STRUCTURE_FILE).read_bytes(), dataflow.id, request.url)
        _check_dimensions(remote, dataflow, request.url)
        params = {k: v for k, v in (("startPeriod", request.start), ("endPeriod", request.end)) if v}
        announced = _announced(http, request, params, directory / "availability.xml")
        staging = directory / "data.download"
        response = _fetch(http, request.data_url(), DATA_ACCEPT, staging, params)
    finally:
        if client is None:
            http.close()
    data_file = "data.csv" if "csv" in response.headers.get("content-type", "") else "data.xml"
    staging.rename(directory / data_file)
    importer = _importer(request, dataflow, data_file, f"pull {response.request.url}", announced)
    assert isinstance(importer, RemoteSource)
    return importer


def pull(
    request: PullRequest,
    standard: Standard,
    records: Records,
    warehouse: Warehouse,
    client: httpx.Client | None = None,
    actor: Actor | None = None,
    checkpoint: Checkpoint = _no_checkpoint,
) -> LoadResult:
    """Fetch ``request``'s structure and data and load them as a new version of the local dataflow.

    Refused as incomplete (nothing loaded) when the answer has fewer bytes than its Content-Length or fewer
    observations than the service's availability query announced. A pull of a key or a period range replaces
    only the rows it selects in the provider's data; a pull that changes nothing records nothing."""
    dataflow = standard.dataflow(request.dataflow_id)
    with tempfile.TemporaryDirectory(prefix="pivgm-pull-") as folder:
        directory = Path(folder)
        importer = _fetched(request, dataflow, client, directory)
        checkpoint("fetched")
        return load_source(
            importer,
            standard,
            records,
            warehouse,
            directory=directory,
            actor=actor,
            scope=request.scope(dataflow),
            skip_unchanged=True,
            checkpoint=checkpoint,
        )


def preview(
    request: PullRequest, standard: Standard, records: Records, warehouse: Warehouse, client: httpx.Client | None = None
) -> Changes:
    """What ``pull`` would change in the provider's newest version (``--dry-run``), writing nothing."""
    dataflow = standard.dataflow(request.dataflow_id)
    structure = dataflow.structure
    columns = [*structure.dimension_ids, structure.time_dimension, structure.measure.id]
    newest = {v.provider_id: v for v in records.current_versions(dataflow.id)}.get(request.provider())
    before = pq.read_table(warehouse.path(newest.parquet_file)) if newest else None
    with tempfile.TemporaryDirectory(prefix="pivgm-pull-") as folder:
        directory = Path(folder)
        importer = _fetched(request, dataflow, client, directory)
        after = merged_table(importer, dataflow, before, directory, request.scope(dataflow)).select(columns)
    old = before.select(columns).cast(after.schema) if before is not None else after.schema.empty_table()
    return compare(old, after, structure)
