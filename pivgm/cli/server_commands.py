"""``pivgm serve`` and ``pivgm demo``."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from pivgm.cli.data_commands import console, initialise, load_all
from pivgm.errors import PivgmError

WORKER_START_SECONDS = 120
HTTP_PARSER = "httptools"
EVENT_LOOP = "uvloop"
"""uvicorn's compiled HTTP parser and event loop (its "standard" extras, dependencies of PIVGM), named rather than
left to uvicorn's "auto", which falls back quietly to the pure-Python ones (h11, asyncio's) when they are
missing: they parse requests and run the loop in compiled code instead of Python."""


class PortInUseError(PivgmError):
    """The address the server should listen on is taken (another server, or an earlier one still running)."""

    exit_code = 9
    code = "port-in-use"


def check_port_free(host: str, port: int) -> None:
    """Raise ``PortInUseError`` when nothing could listen on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a closing connection is no owner
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUseError(
                f"Cannot listen on {host}:{port}: {error.strerror}. Stop what uses it or choose another --port."
            ) from None


def preload_before_fork(workers: int) -> None:
    """With several workers, import the application once in the supervisor and fork the workers from it
    (uvicorn would start fresh interpreters that import everything again): the workers share the imported
    modules' memory pages, copy-on-write, instead of holding a copy each, and one job server (the process
    upload jobs are forked from) serves them all. Each worker still builds its own app, connections and
    DuckDB reader after the fork, so nothing open is shared."""
    if workers <= 1:
        return
    import gc
    import multiprocessing

    import uvicorn._subprocess

    import pivgm.web.app  # noqa: F401  (the whole import tree, once)
    from pivgm.cli.worker_health import watch_workers
    from pivgm.workflow.jobs import share_job_server

    watch_workers()
    share_job_server()  # one process for every worker's upload jobs, not one each
    gc.freeze()  # the imported objects stay out of the collector's way: no page is written just to scan it
    setattr(uvicorn._subprocess, "spawn", multiprocessing.get_context("fork"))  # noqa: B010  (its process factory)


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    check_port_free(host, port)
    platform = initialise()
    settings = platform.settings
    platform.close()  # the workers open their own
    preload_before_fork(workers)
    console.print(
        f"Serving on http://{host}:{port} with {workers} worker(s) ({HTTP_PARSER} HTTP parser, {EVENT_LOOP} event "
        "loop). Ctrl+C stops."
    )
    uvicorn.run(
        "pivgm.web.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HTTP_PARSER,
        loop=EVENT_LOOP,
        log_level=settings.log_level,  # "info": a worker that died or was killed is in the log
        access_log=False,  # one line per request is the reverse proxy's job
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,  # the client address behind a trusted proxy
        # A worker imports the whole platform before it can answer the supervisor's health check; on a busy
        # machine that takes longer than uvicorn's 5 s default, and workers were killed and restarted forever.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
    )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
        workers: Annotated[int, typer.Option(help="Web worker processes.")] = 1,
    ) -> None:
        """Run the web explorer and APIs."""
        serve(host, port, workers)

    @app.command("demo")
    def demo_command(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
        workers: Annotated[int, typer.Option(help="Web worker processes.")] = 1,
    ) -> None:
        """Initialise, load every vendored real source, and serve: the platform on real data in one step."""
        platform = initialise()
        if not platform.records.published_releases():
            from pivgm.workflow.profiles import prepare_profiles

            load_all(platform)
            prepare_profiles(platform)
        else:
            console.print("Data already loaded; `pivgm load-sources` loads new versions.")
        platform.close()
        serve(host, port, workers)
