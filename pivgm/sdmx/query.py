"""The SDMX REST query model: what a structure, data, availability or schema query asks for.

Routing (``routing.py``) builds these from the path and the query string; the service answers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from pivgm.sdmx.errors import QuerySyntaxError
from pivgm.sdmx.keys import ID_PATTERN, parse_moment, period_bounds

TIME_AT_OBSERVATION = "TIME_PERIOD"
ALL_DIMENSIONS = "AllDimensions"

E = TypeVar("E", bound=StrEnum)


class DataDetail(StrEnum):
    FULL = "full"
    DATAONLY = "dataonly"
    SERIESKEYSONLY = "serieskeysonly"
    NODATA = "nodata"


class StructureDetail(StrEnum):
    FULL = "full"
    ALLSTUBS = "allstubs"
    REFERENCESTUBS = "referencestubs"
    REFERENCEPARTIAL = "referencepartial"
    ALLCOMPLETESTUBS = "allcompletestubs"
    REFERENCECOMPLETESTUBS = "referencecompletestubs"


class AvailabilityMode(StrEnum):
    EXACT = "exact"
    AVAILABLE = "available"


@dataclass(frozen=True)
class Selector:
    """Agency, id or version selection: ``None`` means any (``all``, ``*``)."""

    values: tuple[str, ...] | None = None

    def matches(self, value: str) -> bool:
        return self.values is None or value in self.values


LATEST = Selector(("latest",))


@dataclass(frozen=True)
class StructureQuery:
    """``/{resource}/{agency}/{id}/{version}/{items}?references=&detail=``."""

    resource: str
    agency: Selector = Selector()
    id: Selector = Selector()
    version: Selector = LATEST
    items: Selector = Selector()
    references: str = "none"
    detail: StructureDetail = StructureDetail.FULL
    associations: bool = False  # the answer's format carries SDMX 3.0 hierarchy associations (see formats)


@dataclass(frozen=True)
class FlowRef:
    """A dataflow reference: ``DF_X``, ``PIVGM,DF_X`` or ``PIVGM,DF_X,1.0`` (missing parts are any/latest)."""

    id: str
    agency: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        return ",".join(p for p in (self.agency or "all", self.id, self.version or "latest"))


@dataclass(frozen=True)
class DataQuery:
    """``/data/{flowRef}/{key}/{providerRef}`` and its parameters. ``key`` is parsed against the DSD
    by the service (``keys.parse_key``; v2: several keys separated by ``,``, any of which matches);
    ``filters`` hold codes selected by name (v2 ``c[DIM]=``); ``attributes`` an attachment level
    (``dataset``, ``series``, ``obs``) or attribute ids (v2 ``attributes=``);
    ``include_drafts`` asks for the caller's own unpublished data too (``includeDrafts=true``)."""

    flow: FlowRef
    key: str = "all"
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    providers: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    updated_after: datetime | None = None
    first_n: int | None = None
    last_n: int | None = None
    dimension_at_observation: str = TIME_AT_OBSERVATION
    detail: DataDetail = DataDetail.FULL
    include_history: bool = False
    include_drafts: bool = False
    attributes: tuple[str, ...] | None = None  # v2 ``attributes=``: the ones to keep (None: as ``detail`` says)
    updated: bool = False  # with each observation's last update (the format has a column for it)


@dataclass(frozen=True)
class AvailabilityQuery:
    """``/availableconstraint/{flowRef}/{key}/{providerRef}/{componentID}``: which codes have data."""

    flow: FlowRef
    key: str = "all"
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    providers: tuple[str, ...] = ()
    component: str | None = None
    mode: AvailabilityMode = AvailabilityMode.EXACT
    start: date | None = None
    end: date | None = None
    references: str = "none"
    include_drafts: bool = False


@dataclass(frozen=True)
class SchemaQuery:
    """``/schema/{context}/{agency}/{id}/{version}``: the structure-specific XML schema of a dataflow."""

    context: str
    flow: FlowRef
    dimension_at_observation: str = TIME_AT_OBSERVATION


SdmxQuery = StructureQuery | DataQuery | AvailabilityQuery | SchemaQuery


class Parameters:
    """Query-string parameters, names matched case-insensitively (clients differ), values checked."""

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = {name.lower(): value for name, value in items.items()}
        self.raw = dict(items)

    def get(self, name: str) -> str | None:
        value = self._items.get(name.lower())
        return value if value not in (None, "") else None

    def choice(self, name: str, enum: type[E], default: E) -> E:
        value = self.get(name)
        if value is None:
            return default
        try:
            return enum(value.strip().lower())
        except ValueError:
            options = ", ".join(e.value for e in enum)
            raise QuerySyntaxError(
                f"{name}={value!r} is not valid: use one of {options}.", parameter=name, value=value
            ) from None

    def positive(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        if not value.strip().isdigit() or int(value) < 1:
            raise QuerySyntaxError(f"{name}={value!r} must be a positive integer.", parameter=name, value=value)
        return int(value)

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if value is None:
            return False
        if value.strip().lower() in {"true", "1", "yes"}:
            return True
        if value.strip().lower() in {"false", "0", "no"}:
            return False
        raise QuerySyntaxError(f"{name}={value!r} must be true or false.", parameter=name, value=value)

    def periods(self) -> tuple[date | None, date | None]:
        start_text, end_text = self.get("startPeriod"), self.get("endPeriod")
        start = period_bounds(start_text, "startPeriod")[0] if start_text else None
        end = period_bounds(end_text, "endPeriod")[1] if end_text else None
        if start and end and start > end:
            raise QuerySyntaxError(f"startPeriod={start_text} is after endPeriod={end_text}.", parameter="startPeriod")
        return start, end

    def moment(self, name: str) -> datetime | None:
        value = self.get(name)
        return parse_moment(value, name) if value else None


def dimension_at_observation(parameters: Parameters) -> str:
    value = parameters.get("dimensionAtObservation")
    if value is None:
        return TIME_AT_OBSERVATION
    if value.lower() == ALL_DIMENSIONS.lower():
        return ALL_DIMENSIONS
    if not ID_PATTERN.match(value):
        raise QuerySyntaxError(
            f"dimensionAtObservation={value!r} is not a dimension id, TIME_PERIOD or AllDimensions.",
            parameter="dimensionAtObservation",
        )
    return value


def parse_flow_ref(text: str) -> FlowRef:
    """``DF_X`` / ``PIVGM,DF_X`` / ``PIVGM,DF_X,1.0`` (``all``, ``*``, ``latest`` and ``~`` are any/latest)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 3 or not all(parts):
        raise QuerySyntaxError(
            f"The dataflow reference {text!r} is not valid: write DF_ID, AGENCY,DF_ID or AGENCY,DF_ID,VERSION.",
            parameter="flowRef",
            value=text,
        )
    if len(parts) == 1:
        agency, flow_id, version = None, parts[0], None
    else:
        agency, flow_id = parts[0], parts[1]
        version = parts[2] if len(parts) == 3 else None
    if not ID_PATTERN.match(flow_id):
        raise QuerySyntaxError(f"{flow_id!r} is not a dataflow id.", parameter="flowRef", value=text)
    any_agency = agency is None or agency.lower() in {"all", "*"}
    latest = version is None or version.lower() in {"latest", "~", "*", "all"}
    return FlowRef(flow_id, None if any_agency else agency, None if latest else version)


def parse_providers(text: str | None) -> tuple[str, ...]:
    """``all`` / ``PROVIDER`` / ``AGENCY,PROVIDER`` / ``P1+P2``: provider ids (empty = any)."""
    if not text or text.strip().lower() in {"all", "*"}:
        return ()
    providers = []
    for part in text.split("+"):
        provider = part.split(",")[-1].strip()
        if not ID_PATTERN.match(provider):
            raise QuerySyntaxError(
                f"{part!r} is not a data provider reference: write PROVIDER_ID or AGENCY,PROVIDER_ID.",
                parameter="providerRef",
                value=text,
            )
        providers.append(provider)
    return tuple(providers)
