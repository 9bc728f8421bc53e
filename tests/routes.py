"""The routes an app registers, and example URLs for each, for tests that must cover every route."""

from __future__ import annotations

import itertools
import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route


def get_routes(app: FastAPI) -> list[str]:
    """The path of every GET route the app registers, however routers are nested."""

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            elif isinstance(route, APIRoute) and "GET" in route.methods:
                yield route.path

    return sorted(set(walk(app.routes)))


def concrete_paths(template: str, submissions: dict[str, int], flow: str, sdmx_paths: list[str]) -> list[str]:
    """Every way to fill ``template``'s path parameters from the given examples."""
    names = re.findall(r"{(\w+)(?::path)?}", template)
    choices = {
        "dataflow_id": [flow],
        "submission_id": [str(i) for i in submissions.values()],
        "code": ["GTM", "CRI", "SLV", "PAN", "HND", "MEX"],
        "path": sdmx_paths,
        "token_id": ["1"],
        "username": ["mx.sub"],
        "rule_id": ["RETURNS_MEX_GTM", "TRANSITS_PAN_HND", "TRANSITS_HND_MEX"],
    }
    options = [choices.get(name, [flow]) for name in names]
    paths = []
    for combination in itertools.product(*options):
        path = template
        for name, value in zip(names, combination, strict=True):
            path = re.sub(r"{" + name + r"(?::path)?}", value, path)
        paths.append(path)
    return paths


def all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (path, method) the app answers, however routers are nested, the OpenAPI pages included."""

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            elif isinstance(route, Route) and route.methods:
                yield from ((route.path, method) for method in route.methods if method != "HEAD")

    return sorted(set(walk(app.routes)))
