"""Pull a dataflow's published data from another SDMX REST service (another PIVGM instance, or any SDMX
2.1 service) and load it here, keeping the source's data providers.

The remote structure is fetched first and its dimensions checked against the local dataflow's. When the
service has a data provider scheme, each of its providers' data (``data/{flow}/{key}/{provider}``) becomes
that provider's own version here (a provider unknown here is registered with the scheme's names); without
one, or with an explicit provider, everything is one provider's version. The data are fetched as SDMX-CSV
(read exactly: text untrimmed, an empty quoted string kept apart from an absent value) or SDMX-ML when the
service has no CSV, saved with their checksums, and loaded by the same atomic steps as every source
(``loading.load_sources``): the remote's codes are checked against the local codelists, and every
provider's version and the one release that holds them become visible in one commit, or nothing does.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from lxml import etree

from pivgm.accounts.actor import Actor
from pivgm.errors import NotFoundError, PivgmError, SourceFormatError, in_both
from pivgm.ingest.readers import read_file
from pivgm.model import Dataflow
from pivgm.model.periods import parse_period
from pivgm.records import ProviderInfo, Records
from pivgm.records.repository import utc_now
from pivgm.sdmx.writers.csv import UPDATED
from pivgm.sources.base import SourceImporter
from pivgm.structures import Standard
from pivgm.warehouse import Warehouse
from pivgm.warehouse.merge import LAST_UPDATED, iso_utc
from pivgm.workflow.changes import Changes, compare
from pivgm.workflow.loading import Checkpoint, LoadResult, Scope, _no_checkpoint, load_sources, merged_table

CHANGES_ACCEPT = "application/vnd.sdmx.data+csv;version=2.0.0"
"""Changes are read as SDMX-CSV 2.0, the format whose ACTION column says deletions row by row."""
DATA_ACCEPT = (
    "application/vnd.sdmx.data+csv;version=2.0.0, "
    "application/vnd.sdmx.data+csv;version=1.0.0;q=0.9, "
    "application/vnd.sdmx.structurespecificdata+xml;version=2.1;q=0.8, "
    "application/vnd.sdmx.genericdata+xml;version=2.1;q=0.7"
)
STRUCTURE_ACCEPT = "application/vnd.sdmx.structure+xml;version=2.1"
STRUCTURE_FILE = "structure.xml"
TIMEOUT_SECONDS = 120.0
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


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
    since: datetime | None = None  # only the changes published after then (``updatedAfter``), deletions too

    @property
    def base(self) -> str:
        return self.url.rstrip("/")

    def data_url(self, provider: str | None = None) -> str:
        """The data query, for one of the service's providers or for all of them."""
        return f"{self.base}/data/{quote(self.dataflow_id)}/{quote(self.key, safe='.+*')}" + _provider_part(provider)

    def availability_url(self, provider: str | None = None) -> str:
        path = f"{self.base}/availableconstraint/{quote(self.dataflow_id)}/{quote(self.key, safe='.+*')}"
        return path + _provider_part(provider)

    def scheme_url(self) -> str:
        return f"{self.base}/dataproviderscheme/all/all/latest"

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


def _provider_part(provider: str | None) -> str:
    return f"/{quote(provider)}" if provider else ""


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


_CSV_HEAD = re.compile(r'"?(?:STRUCTURE|DATAFLOW)"?([,;\t|])')


def exact_csv(path: Path) -> pa.Table | None:
    """An SDMX-CSV answer read exactly: every column as text, untrimmed, an unquoted empty field as null
    (absent) and a quoted one (``""``) as an empty string; deleted observations (action ``D``) left out.
    None when the message uses what only the submission reader handles (labels, multilingual or
    multi-valued columns)."""
    with open(path, encoding="utf-8-sig", newline="") as text:
        first = text.readline()
    match = _CSV_HEAD.match(first)
    if match is None:
        return None
    header = next(csv.reader([first], delimiter=match[1]))
    if any("[" in name or ": " in name for name in header) or "STRUCTURE_NAME" in header:
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header),
            parse_options=pacsv.ParseOptions(delimiter=match[1], newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise SourceFormatError(f"the SDMX-CSV answer cannot be read ({error}).", file=path.name) from None
    return table


def _not_deleted(table: pa.Table) -> pa.Table:
    if "ACTION" not in table.column_names:
        return table
    return table.filter(pc.not_equal(pc.fill_null(table.column("ACTION"), "I"), "D"))


def observation_table(path: Path, dataflow: Dataflow) -> pa.Table:
    """A data message read into the dataflow's columns: strings, ``OBS_VALUE`` as numbers, deleted
    observations (SDMX action ``D``) left out. SDMX-CSV keeps its text exactly (``exact_csv``); other
    messages, read by the submission readers, give empty text as null (so defaults apply)."""
    exact = exact_csv(path) if path.suffix == ".csv" else None
    if exact is not None:
        table = exact = _not_deleted(exact)
    else:
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
        if exact is None or name == measure:
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        if name == measure:
            try:
                column = pc.replace_substring(column, "NaN", "nan").cast(pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise SourceFormatError(f"{measure} holds a value that is not a number.", file=path.name) from None
        columns[name] = column
    if exact is not None and UPDATED in exact.column_names:
        columns[LAST_UPDATED] = last_updates(exact.column(UPDATED), path.name)
    return pa.table(columns)


def _keys(table: pa.Table, columns: list[str]) -> pa.Array:
    """Each row's key as one text (codes joined by a separator no code holds)."""
    parts = [pc.fill_null(table.column(c).cast(pa.string()), "") for c in columns]
    return pc.binary_join_element_wise(*parts, "\x1f")


def changed_keys_scope(path: Path, dataflow: Dataflow) -> Scope:
    """The rows of a provider's data that a change message (SDMX-CSV 2.0 answer to ``updatedAfter``)
    replaces: those with the key of any of its rows, added, revised (``I``, ``R``: put in place) or deleted
    (``D``: removed)."""
    table = exact_csv(path) if path.suffix == ".csv" else None
    if table is None or "ACTION" not in table.column_names:
        raise SourceFormatError(
            "the changes were not sent as SDMX-CSV 2.0 with an ACTION column, so deletions cannot be read; "
            "pull without --since.",
            file=path.name,
        )
    structure = dataflow.structure
    columns = [*structure.dimension_ids, structure.time_dimension]
    changed = pc.unique(_keys(table, columns))

    def covered(rows: pa.Table) -> pa.Array:
        return pc.is_in(_keys(rows, columns), changed)

    return covered


def last_updates(column: pa.ChunkedArray, file: str) -> pa.Array:
    """SDMX-CSV 2.0's ``UPDATED`` column (when each observation last changed, at the source) as
    ``LAST_UPDATED`` is stored here: ISO 8601 in UTC to the second; an empty cell stays null (the pull time
    then applies). A value that is not a time is refused."""
    times: dict[str, str] = {}
    for text in pc.unique(column).to_pylist():
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise SourceFormatError(
                f"UPDATED holds {text!r}, which is not an ISO 8601 time (such as 2024-05-01T12:00:00Z).", file=file
            ) from None
        times[text] = iso_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return pa.array([times.get(t) if t else None for t in column.to_pylist()], pa.string())


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


def _announced(
    http: httpx.Client, request: PullRequest, params: dict[str, str], target: Path, provider: str | None = None
) -> int | None:
    """What the service's availability query says the data query will send; None if it cannot say."""
    try:
        _fetch(http, request.availability_url(provider), STRUCTURE_ACCEPT, target, {**params, "mode": "exact"})
    except (PivgmError, OSError):
        return None  # not every SDMX service answers availability queries: the count is then not checked
    return announced_observations(target.read_bytes())


def scheme_providers(message: bytes) -> dict[str, dict[str, str]]:
    """The data providers of a provider scheme message: id -> names by language (``es`` and ``en``, each
    falling back on the other, then on the id)."""
    found: dict[str, dict[str, str]] = {}
    for provider in etree.fromstring(message).iter("{*}DataProvider"):
        names = {n.get(XML_LANG, ""): (n.text or "") for n in provider.findall("{*}Name")}
        identifier = provider.get("id", "")
        es = names.get("es") or names.get("en") or identifier
        found[identifier] = {"es": es, "en": names.get("en") or es}
    return found


def _scheme(http: httpx.Client, request: PullRequest, target: Path) -> dict[str, dict[str, str]] | None:
    """The service's data providers, or None when it has no provider scheme to read."""
    try:
        _fetch(http, request.scheme_url(), STRUCTURE_ACCEPT, target)
        providers = scheme_providers(target.read_bytes())
    except (PivgmError, OSError, etree.XMLSyntaxError):
        return None
    return providers or None


@dataclass(frozen=True)
class Fetched:
    """One source per provider of the pulled data; ``by_provider`` False when the service has no provider
    scheme (or a provider was given), so everything is one provider's."""

    sources: list[RemoteSource]
    by_provider: bool


def _importer(
    request: PullRequest,
    dataflow: Dataflow,
    data_file: str,
    source: str,
    announced: int | None,
    provider: ProviderInfo,
    url: str,
) -> RemoteSource:
    attributes = {
        "announced": announced,
        "id": source[:128],
        "dataflow_id": dataflow.id,
        "dataflow": dataflow,
        "provider_id": provider.id,
        "provider_name": {"es": provider.name_es, "en": provider.name_en},
        "files": (STRUCTURE_FILE, data_file),
        "data_file": data_file,
        "source_url": request.base,
        "citation": f"Pulled from {url}",
    }
    importer = type("PulledSource", (RemoteSource,), attributes)()
    assert isinstance(importer, RemoteSource)
    return importer


def _provider_info(provider_id: str, names: dict[str, str], known: dict[str, ProviderInfo]) -> ProviderInfo:
    """A provider as recorded here: its own names when known here, else the source's."""
    here = known.get(provider_id)
    if here is not None:
        return here
    return ProviderInfo(provider_id, names["es"], names["en"])


def _fetch_data(
    http: httpx.Client,
    request: PullRequest,
    dataflow: Dataflow,
    folder: Path,
    params: dict[str, str],
    provider: ProviderInfo,
    remote_provider: str | None,
) -> RemoteSource:
    """One provider's announced count and data (``remote_provider``; None: all the service's data) into
    ``folder``, which already holds the structure message. Changes (``request.since``) are not counted: the
    availability query counts the data, not the changes."""
    if request.since is None:
        announced = _announced(http, request, params, folder / "availability.xml", remote_provider)
        accept = DATA_ACCEPT
    else:
        announced, accept = None, CHANGES_ACCEPT
        params = {**params, "updatedAfter": request.since.isoformat()}
    staging = folder / "data.download"
    response = _fetch(http, request.data_url(remote_provider), accept, staging, params)
    data_file = "data.csv" if "csv" in response.headers.get("content-type", "") else "data.xml"
    staging.rename(folder / data_file)
    url = str(response.request.url)
    return _importer(
        request, dataflow, data_file, f"pull {url}", announced, provider, request.data_url(remote_provider)
    )


def _by_provider(
    http: httpx.Client,
    request: PullRequest,
    dataflow: Dataflow,
    directory: Path,
    params: dict[str, str],
    scheme: dict[str, dict[str, str]],
    known: dict[str, ProviderInfo],
) -> list[RemoteSource]:
    """Each provider's data that the service has for the query; refused when the providers' announced counts
    do not add up to the dataflow's (data of a provider outside the scheme would be lost)."""
    total = None if request.since else _announced(http, request, params, directory / "availability.xml")
    sources = []
    for provider_id, names in scheme.items():
        folder = directory / provider_id
        folder.mkdir()
        (folder / STRUCTURE_FILE).write_bytes((directory / STRUCTURE_FILE).read_bytes())
        provider = _provider_info(provider_id, names, known)
        try:
            sources.append(_fetch_data(http, request, dataflow, folder, params, provider, provider_id))
        except NotFoundError:
            continue  # this provider has no data for the query
    if not sources and request.since is not None:
        return []  # nothing changed since then
    if not sources:
        raise NotFoundError(
            f"The remote service has no results for {request.data_url()} from any of its data providers "
            f"({', '.join(scheme)}).",
            url=request.url,
        )
    counts = [s.announced for s in sources]
    if total is not None and all(c is not None for c in counts) and sum(c or 0 for c in counts) != total:
        raise IncompleteError(
            f"{request.base} announced {total:,} observations for this query but its data providers "
            f"{sum(c or 0 for c in counts):,}; some data belong to no provider of its scheme. Nothing was loaded; "
            "pull them under one provider with --provider.",
            url=request.url,
        )
    return sources


def _fetched(
    request: PullRequest,
    dataflow: Dataflow,
    client: httpx.Client | None,
    directory: Path,
    known: dict[str, ProviderInfo],
) -> Fetched:
    """Fetch the structure (checked against ``dataflow``), the providers, their announced counts and their
    data into ``directory`` (one folder per provider)."""
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True)
    try:
        _fetch(http, request.structure_url(), STRUCTURE_ACCEPT, directory / STRUCTURE_FILE)
        remote = remote_dimensions((directory / STRUCTURE_FILE).read_bytes(), dataflow.id, request.url)
        _check_dimensions(remote, dataflow, request.url)
        params = {k: v for k, v in (("startPeriod", request.start), ("endPeriod", request.end)) if v}
        scheme = None if request.provider_id else _scheme(http, request, directory / "providers.xml")
        if scheme is not None:
            return Fetched(_by_provider(http, request, dataflow, directory, params, scheme, known), True)
        default = ProviderInfo(
            request.provider(),
            f"Servicio SDMX remoto {request.base}",
            f"Remote SDMX service {request.base}",
        )
        provider = _provider_info(default.id, {"es": default.name_es, "en": default.name_en}, known)
        try:
            return Fetched([_fetch_data(http, request, dataflow, directory, params, provider, None)], False)
        except NotFoundError:
            if request.since is None:
                raise
            return Fetched([], False)  # nothing changed since then
    finally:
        if client is None:
            http.close()


def _known(records: Records, base: str) -> dict[str, ProviderInfo]:
    """The providers recorded here, with the pulled service as their source."""
    return {p.id: replace(p, source_url=base) for p in records.providers()}


def _folder(source: RemoteSource, directory: Path, fetched: Fetched) -> Path:
    return directory / source.provider_id if fetched.by_provider else directory


@dataclass(frozen=True)
class Pulled:
    """What a pull did: one result per provider pulled (``changed`` False: it already held these data)."""

    results: list[LoadResult]
    by_provider: bool


def _scopes(
    request: PullRequest, dataflow: Dataflow, fetched: Fetched, directory: Path, records: Records
) -> dict[str, Scope]:
    """For a pull of changes (``--since``), each provider's rows the changes replace: the keys they name. A
    provider with no data here yet is refused: its changes alone are not its data."""
    if request.since is None:
        return {}
    held = {v.provider_id for v in records.current_versions(dataflow.id)}
    missing = [s.provider_id for s in fetched.sources if s.provider_id not in held]
    if missing:
        since = request.since.isoformat()
        raise PivgmError(
            f"{', '.join(missing)} has no data of {dataflow.id} here yet, so the changes since {since} cannot be "
            "applied to it: pull without --since first.",
            provider=missing[0],
            **in_both(
                f"{', '.join(missing)} aún no tiene datos de {dataflow.id} aquí: los cambios desde {since} no se "
                "pueden aplicar. Haga primero un pull sin --since.",
                f"{', '.join(missing)} has no data of {dataflow.id} here yet, so the changes since {since} cannot "
                "be applied to it: pull without --since first.",
            ),
        )
    return {
        s.provider_id: changed_keys_scope(_folder(s, directory, fetched) / s.data_file, dataflow)
        for s in fetched.sources
    }


def pull(
    request: PullRequest,
    standard: Standard,
    records: Records,
    warehouse: Warehouse,
    client: httpx.Client | None = None,
    actor: Actor | None = None,
    checkpoint: Checkpoint = _no_checkpoint,
    clock: Callable[[], datetime] = utc_now,
) -> Pulled:
    """Fetch ``request``'s structure and data and load each provider's as a new version of the local
    dataflow, all in one release (or nothing).

    Refused as incomplete (nothing loaded) when an answer has fewer bytes than its Content-Length or fewer
    observations than the service's availability query announced. A pull of a key or a period range replaces
    only the rows it selects in each provider's data; a pull of changes (``since``) only the keys they name,
    deleted ones removed; a provider whose data did not change records nothing."""
    dataflow = standard.dataflow(request.dataflow_id)
    with tempfile.TemporaryDirectory(prefix="pivgm-pull-") as folder:
        directory = Path(folder)
        fetched = _fetched(request, dataflow, client, directory, _known(records, request.base))
        checkpoint("fetched")
        if not fetched.sources:
            return Pulled([], fetched.by_provider)  # no changes since then
        results = load_sources(
            [(source, _folder(source, directory, fetched)) for source in fetched.sources],
            standard,
            records,
            warehouse,
            actor=actor,
            scope=request.scope(dataflow),
            scopes=_scopes(request, dataflow, fetched, directory, records),
            skip_unchanged=True,
            checkpoint=checkpoint,
            clock=clock,
        )
        return Pulled(results, fetched.by_provider)


def preview(
    request: PullRequest, standard: Standard, records: Records, warehouse: Warehouse, client: httpx.Client | None = None
) -> list[tuple[str, Changes]]:
    """What ``pull`` would change in each provider's newest version (``--dry-run``), writing nothing."""
    dataflow = standard.dataflow(request.dataflow_id)
    structure = dataflow.structure
    columns = [*structure.dimension_ids, structure.time_dimension, structure.measure.id]
    newest = {v.provider_id: v for v in records.current_versions(dataflow.id)}
    changes = []
    with tempfile.TemporaryDirectory(prefix="pivgm-pull-") as folder:
        directory = Path(folder)
        fetched = _fetched(request, dataflow, client, directory, _known(records, request.base))
        scopes = _scopes(request, dataflow, fetched, directory, records)
        for source in fetched.sources:
            version = newest.get(source.provider_id)
            before = pq.read_table(warehouse.path(version.parquet_file)) if version else None
            scope = scopes.get(source.provider_id, request.scope(dataflow))
            after = merged_table(source, dataflow, before, _folder(source, directory, fetched), scope)
            after = after.select(columns)
            old = before.select(columns).cast(after.schema) if before is not None else after.schema.empty_table()
            changes.append((source.provider_id, compare(old, after, structure)))
    return changes
