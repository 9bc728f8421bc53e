"""The representations this service offers, and content negotiation (``Accept`` header or ``format=``).

Adding a format is adding a ``Format`` to ``FORMATS`` and a writer registered under its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pivgm.sdmx.errors import NotAcceptableError, QuerySyntaxError


class Kind(StrEnum):
    """What a query returns; each kind has its own formats and default."""

    DATA = "data"
    STRUCTURE = "structure"
    SCHEMA = "schema"


@dataclass(frozen=True)
class Format:
    """One representation: its name (the writer's key), media type, and the aliases ``format=`` accepts."""

    name: str
    kind: Kind
    media_type: str
    version: str
    aliases: tuple[str, ...] = ()
    generic_types: tuple[str, ...] = ()
    extension: str = "xml"
    time_series_only: bool = False

    @property
    def content_type(self) -> str:
        charset = "; charset=utf-8" if "csv" in self.media_type or "json" in self.media_type else ""
        return f"{self.media_type}; version={self.version}{charset}"


_SDMX = "application/vnd.sdmx."

FORMATS: tuple[Format, ...] = (
    Format(
        "genericdata",
        Kind.DATA,
        f"{_SDMX}genericdata+xml",
        "2.1",
        ("genericdata", "generic", "sdmx-generic-2.1", "xml"),
        ("application/xml", "text/xml"),
    ),
    Format(
        "structurespecificdata",
        Kind.DATA,
        f"{_SDMX}structurespecificdata+xml",
        "2.1",
        ("structurespecificdata", "compactdata", "sdmx-compact-2.1", "structurespecific"),
    ),
    Format(
        "generictimeseriesdata",
        Kind.DATA,
        f"{_SDMX}generictimeseriesdata+xml",
        "2.1",
        ("generictimeseriesdata",),
        time_series_only=True,
    ),
    Format(
        "structurespecifictimeseriesdata",
        Kind.DATA,
        f"{_SDMX}structurespecifictimeseriesdata+xml",
        "2.1",
        ("structurespecifictimeseriesdata", "compacttimeseriesdata"),
        time_series_only=True,
    ),
    Format(
        "jsondata-1.0",
        Kind.DATA,
        f"{_SDMX}data+json",
        "1.0.0",
        ("jsondata", "sdmx-json", "json", "sdmx-json-1.0", "jsondata-1.0"),
        ("application/json",),
        "json",
    ),
    Format(
        "jsondata-2.0",
        Kind.DATA,
        f"{_SDMX}data+json",
        "2.0.0",
        ("sdmx-json-2.0", "jsondata-2.0"),
        extension="json",
    ),
    Format(
        "csvdata-1.0",
        Kind.DATA,
        f"{_SDMX}data+csv",
        "1.0.0",
        ("csvfile", "csv", "sdmx-csv", "sdmx-csv-1.0", "csvdata", "csvdata-1.0"),
        ("text/csv", "application/csv"),
        "csv",
    ),
    Format(
        "csvdata-2.0",
        Kind.DATA,
        f"{_SDMX}data+csv",
        "2.0.0",
        ("sdmx-csv-2.0", "csvdata-2.0", "csvfile-2.0"),
        extension="csv",
    ),
    Format(
        "structure",
        Kind.STRUCTURE,
        f"{_SDMX}structure+xml",
        "2.1",
        ("structure", "sdmx-ml", "xml", "sdmx-structure-2.1"),
        ("application/xml", "text/xml"),
    ),
    Format(
        "structure-3.0",
        Kind.STRUCTURE,
        f"{_SDMX}structure+xml",
        "3.0.0",
        ("sdmx-ml-3.0", "structure-3.0", "sdmx-structure-3.0"),
    ),
    Format(
        "structure-json-1.0",
        Kind.STRUCTURE,
        f"{_SDMX}structure+json",
        "1.0.0",
        ("sdmx-json", "json", "structure-json", "sdmx-json-1.0"),
        ("application/json",),
        "json",
    ),
    Format(
        "structure-json-2.0",
        Kind.STRUCTURE,
        f"{_SDMX}structure+json",
        "2.0.0",
        ("sdmx-json-2.0", "structure-json-2.0"),
        (),
        "json",
    ),
    Format("schema", Kind.SCHEMA, f"{_SDMX}schema+xml", "2.1", ("xsd", "schema", "xml"), ("application/xml",)),
    # SDMX REST v2 schemas as a structure message (the data structure, its concepts and codelists): what
    # pysdmx's registry client asks for.
    Format(
        "schema-json-2.0",
        Kind.SCHEMA,
        f"{_SDMX}structure+json",
        "2.0.0",
        ("sdmx-json-2.0", "structure-json-2.0"),
        extension="json",
    ),
)

UPDATED_FORMATS = frozenset({"csvdata-2.0"})
"""Data formats with a column for each observation's last update (SDMX-CSV 2.0's custom ``UPDATED``)."""

ASSOCIATION = "hierarchyassociation"


def carries_associations(format_: Format, resource: str, references: str) -> bool:
    """Whether a structure answer in ``format_`` holds SDMX 3.0 hierarchy associations (and what is reached
    through them): SDMX-JSON 2.0 always; SDMX-ML 3.0 only when the query names them, since sdmx1's SDMX-ML 3.0
    reader stops at them; SDMX 2.1 formats never, having no such artefact."""
    if format_.name == "structure-json-2.0":
        return True
    return format_.name == "structure-3.0" and ASSOCIATION in {resource, references}


def _normal_version(version: str) -> str:
    """``2.1`` = ``2.1.0``; ``1.0.0`` = ``1.0``."""
    parts = version.strip().strip('"').split(".")
    while len(parts) > 2 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


@dataclass(frozen=True)
class _Range:
    media_type: str
    version: str | None
    quality: float


def _parse_accept(header: str) -> list[_Range]:
    ranges = []
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";") if p.strip()]
        if not parts:
            continue
        parameters = dict(p.partition("=")[::2] for p in parts[1:])
        parameters = {k.strip().lower(): v.strip() for k, v in parameters.items()}
        try:
            quality = float(parameters.get("q", "1"))
        except ValueError:
            quality = 1.0
        ranges.append(_Range(parts[0].lower(), parameters.get("version"), quality))
    return sorted(ranges, key=lambda r: -r.quality)


def _matches(format_: Format, wanted: _Range) -> bool:
    if wanted.media_type == format_.media_type:
        return wanted.version is None or _normal_version(wanted.version) == _normal_version(format_.version)
    return wanted.version is None and wanted.media_type in format_.generic_types


def offered(kind: Kind) -> list[Format]:
    return [f for f in FORMATS if f.kind is kind]


def negotiate(kind: Kind, accept: str | None, format_parameter: str | None = None) -> Format:
    """The format to answer with: ``format=`` wins over ``Accept``; ``*/*`` or nothing gives the default
    (the first offered: SDMX-ML generic data, SDMX-ML structure). Raises ``NotAcceptableError`` (406)."""
    formats = offered(kind)
    if format_parameter:
        name = format_parameter.strip().lower()
        for format_ in formats:
            if name in format_.aliases or name == format_.name:
                return format_
        accept = format_parameter
    for wanted in _parse_accept(accept or "*/*"):
        if wanted.quality <= 0:
            continue
        if wanted.media_type in {"*/*", "application/*", "*"}:
            return formats[0]
        for format_ in formats:
            if _matches(format_, wanted):
                return format_
    names = ", ".join(f"{f.media_type};version={f.version}" for f in formats)
    raise NotAcceptableError(
        f"This service cannot answer a {kind} query as {accept or format_parameter!r}. "
        f"It offers: {names} (or format= one of "
        f"{', '.join(sorted({a for f in formats for a in f.aliases}))}).",
        accept=accept,
    )


def check_observation_dimension(format_: Format, dimension_at_observation: str) -> None:
    """Time-series messages hold time series only."""
    if format_.time_series_only and dimension_at_observation != "TIME_PERIOD":
        raise QuerySyntaxError(
            f"{format_.name} holds time series: dimensionAtObservation must be TIME_PERIOD, not "
            f"{dimension_at_observation}; use genericdata for other observation dimensions.",
            parameter="dimensionAtObservation",
        )
