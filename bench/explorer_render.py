"""Benchmark: time from navigation to a drawn chart in headless Chromium, for typical explorer views, and the
JavaScript and CSS transferred (compressed) to draw them.

Typical views: irregular transit through the Darién by month (line chart, the explorer's default view), the
same for Venezuelans in 2023 as bars, and the map of their citizenships. Each is opened in a fresh browser
context (nothing cached) and again in a warm one. Targets (issue 5): a drawn chart in under 1 s on loopback;
JS+CSS under 1 MB compressed.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from bench.report import write_section
from pivgm.cli.data_commands import load_all
from pivgm.platform import Platform
from pivgm.settings import Settings

RUNS = 15
TARGET_MS = 1000
TARGET_BYTES = 1_000_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]
VIEWS = {
    "default (line, by month)": "/explore/DF_IRREGULAR_TRANSIT",
    "Venezuelans 2023 (bars)": "/explore/DF_IRREGULAR_TRANSIT?CITIZENSHIP=VEN&from=2023-01&to=2023-12&view=bar",
    "citizenships 2023 (map)": "/explore/DF_IRREGULAR_TRANSIT?from=2023-01&to=2023-12&view=map",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "pivgm.web.app:create_app_from_environment", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env={**os.environ, "PIVGM_DATA_DIR": str(data_dir)})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/dataflows", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def open_view(page, url: str) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds from navigation start to the chart drawn (charts.js stamps ``data-rendered-ms``)."""
    page.goto(url)
    page.wait_for_selector("#chart-view[data-rendered='true']", timeout=30000)
    return float(page.get_attribute("#chart-view", "data-rendered-ms"))


def transferred(browser, url: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Compressed bytes received by kind (script, stylesheet, data) on a first visit."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}
    responses = []
    page.on("response", lambda response: responses.append(response))
    open_view(page, url)
    page.wait_for_load_state("networkidle")
    for response in responses:
        kind = response.request.resource_type
        body = response.request.sizes()["responseBodySize"]
        sizes[kind] = sizes.get(kind, 0) + body
    context.close()
    return sizes


def measure(base: str) -> tuple[dict[str, tuple[list[float], list[float]]], dict[str, dict[str, int]]]:
    timings: dict[str, tuple[list[float], list[float]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for name, path in VIEWS.items():
            open_view(browser.new_page(), base + path)  # warm the server's tables once
            cold, warm = [], []
            for _ in range(RUNS):
                context = browser.new_context()
                page = context.new_page()
                cold.append(open_view(page, base + path))
                warm.append(open_view(page, base + path))
                context.close()
            timings[name] = (cold, warm)
            sizes[name] = transferred(browser, base + path)
        browser.close()
    return timings, sizes


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        platform = Platform.initialise(Settings(data_dir=Path(folder)))
        load_all(platform)
        server, base = start_server(Path(folder))
        try:
            timings, sizes = measure(base)
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [
        "## Explorer: time to a drawn chart in headless Chromium, and bytes transferred",
        "",
        f"From navigation start to the chart drawn (Vega-Lite, SVG), {RUNS} runs per view on loopback: a first visit "
        "in a fresh browser context (nothing cached), then the same page again (assets cached). Bytes are the "
        "compressed response bodies of a first visit.",
        "",
        "| view | first visit p50 ms | p95 ms | cached p50 ms | p95 ms | JS+CSS kB | data kB (page, atlas) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    worst_p95, worst_bytes = 0.0, 0
    for name, (cold, warm) in timings.items():
        size = sizes[name]
        code = size.get("script", 0) + size.get("stylesheet", 0)
        data = sum(size.values()) - code
        worst_p95 = max(worst_p95, percentile(cold, 95))
        worst_bytes = max(worst_bytes, code)
        lines.append(
            f"| {name} | {statistics.median(cold):.0f} | {percentile(cold, 95):.0f} | {statistics.median(warm):.0f} "
            f"| {percentile(warm, 95):.0f} | {code / 1000:.0f} | {data / 1000:.0f} |"
        )
    lines += [
        "",
        f"- slowest first-visit p95 {worst_p95:.0f} ms, target under {TARGET_MS} ms: "
        f"**{'met' if worst_p95 < TARGET_MS else 'NOT met'}**",
        f"- JS+CSS {worst_bytes / 1000:.0f} kB compressed, target under {TARGET_BYTES / 1000:.0f} kB: "
        f"**{'met' if worst_bytes < TARGET_BYTES else 'NOT met'}**",
    ]
    write_section("explorer-render", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
