"""The route view on the releases in force (or at ``asOf``): one service call per page or endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pivgm.catalog.service import Catalog
from pivgm.errors import NotFoundError
from pivgm.indicators.routes import PointSeries, Step, Year, citizenships, months, series, steps, years
from pivgm.model.indicator import Route
from pivgm.model.releases import ReleaseInfo

DEFAULT_CITIZENSHIP = "VEN"


@dataclass(frozen=True)
class RouteView:
    """A route's points for one citizenship: each point's series and release, the months, the steps between
    successive points, and the citizenships the first point reports (to choose another)."""

    route: Route
    citizenship: str
    series: list[PointSeries]
    releases: list[ReleaseInfo | None]
    months: list[str]
    steps: list[Step]
    citizenships: list[str]

    @property
    def years(self) -> list[Year]:
        """Each point's sums by calendar year (the route map's periods)."""
        return years(self.series)


class Routes:
    """The route view for every front end (HTML, JSON)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def route(self, route_id: str | None) -> Route:
        known = self.catalog.standard.routes
        route = known.get(route_id) if route_id else next(iter(known.values()), None)
        if route is None:
            names = ", ".join(sorted(known))
            raise NotFoundError(f"Route {route_id!r} does not exist. Known: {names}.", route=route_id)
        return route

    def view(self, route_id: str | None, citizenship: str | None = None, as_of: datetime | None = None) -> RouteView:
        """The route for ``citizenship`` as published now (or at ``as_of``, never later than now)."""
        route = self.route(route_id)
        chosen = citizenship or DEFAULT_CITIZENSHIP
        in_force = self.catalog.releases(as_of)
        releases = [in_force.get(point.side.dataflow) for point in route.points]
        files = [self.catalog.published.release_file(r) if r is not None else None for r in releases]
        every = [series(point, file, chosen) for point, file in zip(route.points, files, strict=True)]
        return RouteView(
            route, chosen, every, releases, months(every), steps(every), citizenships(route.points[0], files[0])
        )
