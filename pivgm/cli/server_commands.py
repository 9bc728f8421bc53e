"""``pivgm serve`` and ``pivgm demo``."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from pivgm.cli.data_commands import console, initialise, load_all
from pivgm.errors import PivgmError

WORKER_START_SECONDS = 120


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


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    check_port_free(host, port)
    settings = initialise().settings
    console.print(f"Serving on http://{host}:{port} with {workers} worker(s). Ctrl+C stops.")
    uvicorn.run(
        "pivgm.web.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
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
            load_all(platform)
        else:
            console.print("Data already loaded; `pivgm load-sources` loads new versions.")
        serve(host, port, workers)
