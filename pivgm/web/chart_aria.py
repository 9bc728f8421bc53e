"""Vega describes each axis and legend to screen readers in English ("X-axis titled ... for a linear scale
with values from ..."); an explicit description in the page's language replaces it."""

from __future__ import annotations

from typing import Any

from pivgm.web.labels import Labels

AXES = {"x": "axis_x", "y": "axis_y"}
LEGENDS = ("color", "fill", "shape", "size")


def _title(channel: dict[str, Any]) -> str:
    title = channel.get("title")
    return title if isinstance(title, str) else ""


def _describe_encoding(encoding: dict[str, Any], labels: Labels) -> None:
    for name, key in AXES.items():
        channel = encoding.get(name)
        if isinstance(channel, dict) and "type" in channel and channel.get("axis", {}) is not None:
            description = f"{labels.t(key)}: {_title(channel)}".rstrip(": ")
            channel["axis"] = {**channel.get("axis", {}), "description": description}
    for name in LEGENDS:
        channel = encoding.get(name)
        if isinstance(channel, dict) and "field" in channel and channel.get("legend", {}) is not None:
            description = f"{labels.t('legend_of')}: {_title(channel)}".rstrip(": ")
            channel["legend"] = {**channel.get("legend", {}), "description": description}


def localise_aria(spec: Any, labels: Labels) -> None:
    """Give every axis and legend of ``spec`` (layers, facets and all) a description in the page's
    language, in place."""
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            _describe_encoding(spec["encoding"], labels)
        for key, value in spec.items():
            if key not in ("encoding", "data", "usermeta", "config", "title"):
                localise_aria(value, labels)
    elif isinstance(spec, list):
        for item in spec:
            localise_aria(item, labels)
