"""Health checks of ``pivgm serve --workers N`` that notice a dead worker at once.

uvicorn's supervisor pings each worker through a pipe and waits for the answer up to the health-check timeout
(``WORKER_START_SECONDS``: two minutes, for slow starts on a busy machine). The supervisor keeps both ends of
that pipe open, so a worker that dies between the ping and its answer is noticed only when the timeout runs
out; until then the supervisor neither replaces it nor acts on SIGTERM. Here the wait also ends when the
worker's process ends (its sentinel), so a killed worker is replaced, and the server stops, within a second.
"""

from __future__ import annotations

import pickle
from multiprocessing.connection import wait

from uvicorn.supervisors import multiprocess


class WatchedWorker(multiprocess.Process):
    """A uvicorn worker whose health check returns as soon as the worker answers or dies."""

    def _healthcheck(self, timeout: float) -> bool | None:
        try:
            self.parent_conn.send(b"ping")
            ready = wait([self.parent_conn, self.process.sentinel], timeout)
            if self.parent_conn not in ready:
                return None  # no answer in time, or the process ended without one
            started: bool = self.parent_conn.recv()
            return started
        except (OSError, EOFError, pickle.UnpicklingError):
            return None


def watch_workers() -> None:
    """Make uvicorn's supervisor start its workers as ``WatchedWorker``s (it names the class at each start)."""
    setattr(multiprocess, "Process", WatchedWorker)  # noqa: B010  (the class the supervisor instantiates)
