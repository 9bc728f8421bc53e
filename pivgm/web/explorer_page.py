"""What the explorer page shows, formatted from one ``ExplorerView``: the filter panel, the view tabs, a
sentence describing the selection, the chart and its table, the context of the figures, and the links to
share, embed and download the view (formatting only)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pivgm.catalog.explore import ExplorerView
from pivgm.catalog.fitting import offered_views
from pivgm.catalog.search import normalise
from pivgm.catalog.state import TIME, ExplorerState, Placement, ViewKind
from pivgm.catalog.views import Problem
from pivgm.model import Dimension, Hierarchy
from pivgm.model.periods import parse_period
from pivgm.web.chart_aria import localise_aria
from pivgm.web.chart_description import describe
from pivgm.web.citation import citation
from pivgm.web.formats import date_label
from pivgm.web.labels import Labels
from pivgm.web.map_incidents import with_incidents
from pivgm.web.rendering import url
from pivgm.web.tables import TableModel, table_model
from pivgm.web.view_charts import view_spec

LONG_LIST = 12  # codes from which a list gets a search box
TEXT_ENTRY = 400  # codes from which a dimension is entered as text (incident ids)
SHOWN_IN_SUMMARY = 3
SUBTITLE_WIDTH = 110  # characters per subtitle line of a chart (exported images carry their source)


@dataclass(frozen=True)
class CodeOption:
    id: str
    name: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FilterPanel:
    id: str
    name: str
    options: list[CodeOption]
    selected: int
    placement: str
    text_entry: bool = False
    text: str = ""
    searchable: bool = False
    groups: list[Link] = field(default_factory=list)  # regions etc.: selecting one selects its codes


@dataclass(frozen=True)
class Tab:
    view: str
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass
class ExplorerPage:
    view: ExplorerView
    title: str
    panels: list[FilterPanel]
    tabs: list[Tab]
    summary: list[tuple[str, str]]
    notes: list[str]
    periods: list[tuple[str, list[tuple[str, str]]]]  # (frequency, [(period, label)])
    time_placement: str
    spec: dict[str, Any] | None
    table: TableModel | None
    problem: str | None
    fixes: list[Link]
    context: list[tuple[str, str]]
    units: list[str]
    flags: list[tuple[str, str]]
    share_url: str
    embed_url: str
    api_url: str
    downloads: list[Link] = field(default_factory=list)
    full_downloads: list[Link] = field(default_factory=list)
    long_downloads: list[Link] = field(default_factory=list)
    description: str = ""  # the chart's accessible description: what is shown, its extremes and trend


def uncertainty_notes(view: ExplorerView, labels: Labels) -> list[str]:
    """What the margins of error mean, and which figures' 90 % intervals overlap (no significant difference)."""
    grid = view.grid
    if grid is None or not any(cell.moe is not None for cell in grid.cells.values()):
        return []
    notes = [labels.t("note_margin_of_error")]
    for overlap in view.overlaps:
        notes.append(
            labels.t("note_overlap").format(
                first=labels.key(overlap.dimensions, overlap.first, labels.t("total")),
                first_value=labels.value(overlap.first_cell),
                second=labels.key(overlap.dimensions, overlap.second, labels.t("total")),
                second_value=labels.value(overlap.second_cell),
                period=labels.code("TIME_PERIOD", overlap.period),
            )
        )
    for difference in view.insignificant:
        notes.append(
            labels.t("note_not_significant").format(
                name=labels.key(difference.dimensions, difference.key, labels.t("total")),
                value=labels.value(difference.cell),
                period=labels.code("TIME_PERIOD", difference.period),
            )
        )
    return notes


def explorer_url(state: ExplorerState, language: str, path: str = "") -> str:
    return url(f"/explore/{state.dataflow_id}{path}", state.params(), lang=language)


def _sort_key(option: CodeOption) -> tuple[int, str]:
    special = option.id.startswith("_") or not option.id.isalpha() or len(option.id) != 3
    return (0 if special else 1, normalise(option.name))


def _groups(
    view: ExplorerView, dimension: Dimension, known: dict[str, int], hierarchies: Sequence[Hierarchy], labels: Labels
) -> list[Link]:
    """A link per grouping of the dimension's codes (a region of a hierarchy over its codelist) that has codes
    with data: it selects those codes."""
    links = []
    codelist = dimension.codelist
    for hierarchy in hierarchies:
        if codelist is None or hierarchy.codelist.urn != codelist.urn:
            continue
        for group in hierarchy.groups():
            members = tuple(code for code in group.leaves() if known.get(code))
            code = codelist.get(group.code)
            if members and code is not None:
                state = replace(view.state, filters={**view.state.filters, dimension.id: members})
                label = f"{code.name.get(labels.language)} ({len(members)})"
                links.append(Link(label, explorer_url(state, labels.language)))
    return links


def _panels(
    view: ExplorerView,
    labels: Labels,
    release_counts: dict[str, dict[str, int]],
    hierarchies: Sequence[Hierarchy] = (),
) -> list[FilterPanel]:
    panels = []
    for dimension in view.dataflow.structure.dimensions:
        chosen = view.state.filters[dimension.id]
        known = release_counts.get(dimension.id, {})
        facet = view.facets.get(dimension.id, {})
        placement = view.state.placement(dimension.id).value
        if dimension.codelist is None or len(known) > TEXT_ENTRY:
            panels.append(
                FilterPanel(
                    dimension.id, labels.dimension(dimension.id), [], len(chosen), placement, True, ",".join(chosen)
                )
            )
            continue
        options = [
            CodeOption(code.id, code.name.get(labels.language), facet.get(code.id, 0), not chosen or code.id in chosen)
            for code in dimension.codelist
            if known.get(code.id)
        ]
        if dimension.codelist.id == "CL_AREA":
            options.sort(key=_sort_key)
        if chosen and len(options) > LONG_LIST:  # the chosen codes of a long list come first
            options.sort(key=lambda o: not o.selected)
        selected = sum(1 for o in options if o.selected)
        panels.append(
            FilterPanel(
                dimension.id,
                labels.dimension(dimension.id),
                options,
                selected,
                placement,
                searchable=len(options) > LONG_LIST,
                groups=_groups(view, dimension, known, hierarchies, labels),
            )
        )
    return panels


def _summary(view: ExplorerView, labels: Labels) -> list[tuple[str, str]]:
    """Each dimension with the codes selected (``all`` and whether they are added up)."""
    lines = []
    for dimension, chosen in view.state.filters.items():
        facet = view.facets.get(dimension, {})
        present = [c for c, n in facet.items() if n and (not chosen or c in chosen)]
        codes = list(chosen) if chosen else present
        if not chosen and len(present) > 1:
            text = labels.t("all_codes")
        else:
            names = [labels.code(dimension, c) for c in codes[:SHOWN_IN_SUMMARY]]
            more = len(codes) - SHOWN_IN_SUMMARY
            text = ", ".join(names) + (f" {labels.t('and_more').format(count=more)}" if more > 0 else "")
        if dimension in view.summed:
            text += f" ({labels.t('added_up_short')})"
        lines.append((labels.dimension(dimension), text))
    start, end = view.state.start, view.state.end
    first = labels.code(TIME, start) if start else labels.t("first")
    span = f"{first} – {labels.code(TIME, end) if end else labels.t('latest')}"
    lines.append((labels.t("period"), span))
    return lines


def _held(view: ExplorerView, labels: Labels) -> str:
    """The codes a selection holds one of ("Honduras", "Panama · Venezuela"): the name of a chart's only
    series. Frequencies, totals and added-up dimensions say nothing of it."""
    names = []
    for dimension, chosen in view.state.filters.items():
        facet = view.facets.get(dimension, {})
        present = [c for c, n in facet.items() if n and (not chosen or c in chosen)]
        if dimension != "FREQ" and dimension not in view.summed and len(present) == 1 and present[0] != "_T":
            names.append(labels.code(dimension, present[0]))
    return " · ".join(names)


def _problem(problem: Problem, labels: Labels) -> tuple[str, list[Link]]:
    names = ", ".join(labels.dimension(d) for d in problem.dimensions)
    text = labels.t(f"problem_{problem.code}").format(count=problem.count, limit=problem.limit, dimensions=names)
    links = [
        Link(
            labels.t(f"fix_{fix.kind}").format(dimension=labels.dimension(fix.dimension) if fix.dimension else ""),
            explorer_url(fix.state, labels.language),
        )
        for fix in problem.fixes
    ]
    return text, links


def _context(view: ExplorerView, labels: Labels) -> list[tuple[str, str]]:
    metadata = view.dataflow.metadata
    language = labels.language
    release = view.summary.release
    items = []
    if release is not None:
        items.append(
            (
                labels.t("published"),
                f"{date_label(release.published_at, language)} · {labels.t('release')} {release.id}",
            )
        )
    items += [
        (labels.t("definition"), metadata.definition.get(language)),
        (labels.t("comparability"), metadata.comparability.get(language)),
        (labels.t("coverage"), metadata.coverage.get(language)),
        (labels.t("methodology"), metadata.methodology.get(language)),
    ]
    return [(k, v) for k, v in items if v]


def _units(view: ExplorerView, labels: Labels) -> list[str]:
    if view.grid is None:
        return []
    units = []
    for unit in view.grid.units():
        text = labels.unit(unit)
        multipliers = [labels.multiplier(m) for m in view.grid.multipliers()]
        extra = ", ".join(m for m in multipliers if m)
        units.append(f"{text} ({extra.lower()})" if extra else text)
    return units


def _periods(view: ExplorerView, labels: Labels) -> list[tuple[str, list[tuple[str, str]]]]:
    """The period choices grouped by frequency (years, then quarters, months...), each group in order:
    a flow by month offers its years first, not 149 options of years and months mixed."""
    options = set(view.periods) | {p[:4] for p in view.periods}
    groups: dict[str, list[str]] = {}
    for period in sorted(options):
        try:
            frequency = parse_period(period).frequency.value
        except ValueError:
            frequency = ""
        groups.setdefault(frequency, []).append(period)
    order = ["A", "S", "Q", "M", ""]
    return [
        (labels.code("FREQ", f) if f else labels.t("period"), [(p, labels.code(TIME, p)) for p in groups[f]])
        for f in sorted(groups, key=lambda f: order.index(f) if f in order else len(order))
    ]


def _downloads(state: ExplorerState, labels: Labels, scope: str) -> list[Link]:
    """The download links of a scope; the table on screen is offered as CSV and XLSX (SDMX-CSV holds
    observations only: the long table)."""
    formats = [("csv", "CSV"), ("xlsx", "XLSX"), ("sdmx-csv", "SDMX-CSV"), ("zip", "ZIP")]
    if scope == "view":
        formats = formats[:2]
    return [
        Link(
            name,
            url(
                f"/explore/{state.dataflow_id}/download", state.params(), format=key, scope=scope, lang=labels.language
            ),
        )
        for key, name in formats
    ]


def explorer_page(
    view: ExplorerView,
    labels: Labels,
    base_url: str,
    release_counts: dict[str, dict[str, int]],
    hierarchies: Sequence[Hierarchy] = (),
    tab_states: Sequence[tuple[ViewKind, ExplorerState]] | None = None,
) -> ExplorerPage:
    """The explorer page's model; ``base_url`` (the configured public address, or "") starts the shared and
    embedded links; ``hierarchies`` (the standard's) offer their groupings of codes in the filters;
    ``tab_states`` the state each view tab opens on (by default the same selection)."""
    state = view.state
    language = labels.language
    name = view.dataflow.name.get(language)
    labels = replace(labels, single=_held(view, labels))
    summary = _summary(view, labels)
    subtitle = " · ".join(text for _, text in summary)
    source = f"{labels.t('source')}: {view.dataflow.metadata.source.get(language)}"
    lines = textwrap.wrap(subtitle, SUBTITLE_WIDTH) + textwrap.wrap(
        source, SUBTITLE_WIDTH, max_lines=2, placeholder=" …"
    )
    title = {"text": name, "subtitle": lines}
    spec = view_spec(view.shape, labels, title, state.view.value) if view.shape is not None else None
    description = describe(view.shape, labels, name) if view.shape is not None else name
    if spec is not None:
        spec.setdefault("usermeta", {})["subtitle"] = [subtitle, source]  # re-wrapped to the chart's width
        if state.view is ViewKind.MAP:
            spec = with_incidents(spec, view, labels)
        spec["usermeta"]["citation"] = citation(view, labels, base_url.rstrip("/") + explorer_url(state, language))
        spec["description"] = description
        localise_aria(spec, labels)
    table = table_model(view.shape, labels, f"{name}. {subtitle}") if view.shape is not None else None
    problem_text, fixes = _problem(view.problem, labels) if view.problem else (None, [])
    notes = (
        [labels.t("note_added_up").format(dimensions=", ".join(labels.dimension(d) for d in view.summed))]
        if view.summed
        else []
    )
    if view.double_counted:
        notes.append(
            labels.t("note_double_counted").format(
                dimensions=", ".join(labels.dimension(d) for d in view.double_counted)
            )
        )
    if state.view in (ViewKind.RANKED, ViewKind.MAP, ViewKind.FLOWS, ViewKind.PYRAMID) and view.shape is not None:
        notes.append(labels.t("note_sum_over_time" if view.defaults.time_additive else "note_latest_period"))
    notes += uncertainty_notes(view, labels)
    if tab_states is None:
        offered = offered_views(view.dataflow, view.defaults, state, release_counts)
        tab_states = [(v, state.with_view(v)) for v in offered]
    tabs = [
        Tab(v.value, labels.t(f"view_{v.value}"), explorer_url(opened, language), v is state.view)
        for v, opened in tab_states
    ]
    flags = table.flags if table is not None else []
    return ExplorerPage(
        view=view,
        title=name,
        panels=_panels(view, labels, release_counts, hierarchies),
        tabs=tabs,
        summary=summary,
        notes=notes,
        periods=_periods(view, labels),
        time_placement=state.placement(TIME).value
        if state.placement(TIME) in (Placement.ROWS, Placement.COLS)
        else "cols",
        spec=spec,
        table=table,
        problem=problem_text,
        fixes=fixes,
        context=_context(view, labels),
        units=_units(view, labels),
        flags=flags,
        share_url=base_url.rstrip("/") + explorer_url(state, language),
        embed_url=base_url.rstrip("/") + explorer_url(state, language, "/embed"),
        api_url=url(f"/api/data/{state.dataflow_id}", state.api_params()),
        downloads=_downloads(state, labels, "view"),
        full_downloads=_downloads(state, labels, "full"),
        long_downloads=_downloads(state, labels, "long"),
        description=description,
    )
