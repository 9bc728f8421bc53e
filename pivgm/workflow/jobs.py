"""Submissions checked and loaded in a child process under CPU-time and memory limits, so that no upload can
stall or exhaust the web worker that received it.

Each upload runs in a fresh process forked from a server process that has the platform's modules imported
(``forkserver``), at a lower scheduling priority, with ``RLIMIT_CPU`` and ``RLIMIT_AS`` set before it reads a
byte. The web worker waits for it in a thread, so its event loop keeps answering. A job over a limit is
stopped and answered with a ``processing-limit`` error (413): it was stopped while reading or validating, so
nothing was recorded, or it was stopped while loading and its submission is marked ``failed``.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pivgm.errors import LoadError, PivgmError
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.workflow.submissions import SubmissionOutcome, SubmissionRequest, submit

NICENESS = 10
GRACE_CPU_SECONDS = 5  # between the soft limit (SIGXCPU) and the hard one (SIGKILL)
# Address space the libraries map without using it (Arrow's and DuckDB's allocators, thread stacks: about
# 2.6 GB for a small job while 0.2 GB is resident). RLIMIT_AS is set this much above the memory limit, a
# backstop; the limit itself is on the resident memory, which the waiting thread watches.
ADDRESS_SPACE_OVERHEAD_MB = 4096
WATCH_SECONDS = 0.05
MEMORY_ERRORS = {"OutOfMemoryException", "ArrowMemoryError"}  # DuckDB's and Arrow's, when an allocation fails


class ProcessingLimitError(PivgmError):
    """A submission that needed more CPU time or memory than one submission may use: stopped."""

    status_code = 413
    exit_code = 1
    code = "processing-limit"


@dataclass(frozen=True)
class JobLimits:
    cpu_seconds: int
    memory_mb: int
    wall_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> JobLimits:
        cpu = settings.upload_cpu_seconds
        return cls(cpu, settings.upload_memory_mb, wall_seconds=max(60.0, 4.0 * cpu))


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pivgm.workflow.job_server"])
    return context


_CONTEXT = _context()
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _slot(count: int) -> threading.BoundedSemaphore:
    """At most ``count`` jobs at once per web worker process; the others wait their turn."""
    with _slots_lock:
        return _slots.setdefault(count, threading.BoundedSemaphore(count))


def _limit(limits: JobLimits) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + GRACE_CPU_SECONDS))
    memory = (limits.memory_mb + ADDRESS_SPACE_OVERHEAD_MB) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.nice(NICENESS)


def _error(error: PivgmError) -> tuple[str, str, dict[str, Any]]:
    return type(error).__module__ + ":" + type(error).__qualname__, error.message, error.details


def _rebuilt(kind: str, message: str, details: dict[str, Any]) -> PivgmError:
    """The child's error as the same class with the same message and details (its constructor may differ)."""
    module, _, name = kind.partition(":")
    cls = getattr(__import__(module, fromlist=[name]), name, LoadError)
    error: PivgmError = cls.__new__(cls)
    PivgmError.__init__(error, message, **details)
    return error


def _child(settings: Settings, path: Path, request: SubmissionRequest, limits: JobLimits, pipe: Connection) -> None:
    """The job: limits first, then the whole submission; every outcome goes back through ``pipe``, after the
    job's own peak resident memory (which the parent's sampling could miss between two looks)."""
    _limit(limits)
    last: tuple[str, Any]
    try:
        platform = Platform.open(settings)
        job = replace(request, path=path)  # read from the file, never whole in memory
        outcome = submit(platform, job, on_recorded=lambda submission: pipe.send(("recorded", submission)))
        last = ("done", outcome)
    except PivgmError as error:
        last = ("error", _error(error))
    except MemoryError:
        last = ("memory", None)
    except Exception as error:  # a bug, not bad input: the parent answers 500 with what it was
        memory = type(error).__name__ in MEMORY_ERRORS
        last = ("memory", None) if memory else ("crash", f"{type(error).__name__}: {error}")
    pipe.send(("peak", own_peak_mb()))
    pipe.send(last)


def own_peak_mb() -> float:
    """This process's peak resident memory in MB (``VmHWM``)."""
    return _status_mb("self", "VmHWM:")


def _limit_error(request: SubmissionRequest, limits: JobLimits, what: str, recorded: int | None) -> PivgmError:
    stage = (
        f"while it was loaded; submission {recorded} is marked failed and nothing of it was kept"
        if recorded is not None
        else "before anything was recorded"
    )
    return ProcessingLimitError(
        f"{request.file_name}: checking and loading the file needed more than {what}, the most one submission "
        f"may use; it was stopped {stage}. Split the file (by year or by country) and submit the parts.",
        file=request.file_name,
        submission=recorded,
    )


def run_limited(settings: Settings, path: Path, request: SubmissionRequest, limits: JobLimits) -> SubmissionOutcome:
    """``submit`` the file at ``path`` in a limited child process (blocking: call it from a thread)."""
    with _slot(settings.upload_jobs):
        return _run(settings, path, request, limits)


@dataclass
class _Heard:
    """What the child said: the submission it recorded (if any) and its last word (None if it was killed)."""

    recorded: int | None = None
    message: tuple[str, Any] | None = None
    timed_out: bool = False
    peak_rss_mb: float = 0.0
    over_memory: bool = False


def _status_mb(pid: int | str, field: str) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            line = next((line for line in status if line.startswith(field)), f"{field} 0 kB")
    except OSError:
        return 0.0
    return int(line.split()[1]) / 1024


def resident_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB (0 once it has ended)."""
    return _status_mb(pid, "VmRSS:")


def _listen(receiver: Connection, pid: int, limits: JobLimits) -> _Heard:
    """Wait for the child's messages, watching its resident memory and the wall clock."""
    heard = _Heard()
    deadline = time.monotonic() + limits.wall_seconds
    while heard.message is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            heard.timed_out = True
            break
        heard.peak_rss_mb = max(heard.peak_rss_mb, resident_mb(pid))
        if heard.peak_rss_mb > limits.memory_mb:
            heard.over_memory = True
            break
        if not receiver.poll(min(WATCH_SECONDS, remaining)):
            continue
        try:
            kind, payload = receiver.recv()
        except EOFError:
            break  # the child died without a word: killed at a limit
        if kind == "recorded":
            heard.recorded = payload
        elif kind == "peak":
            heard.peak_rss_mb = max(heard.peak_rss_mb, payload)
        else:
            heard.message = (kind, payload)
    return heard


def _run(settings: Settings, path: Path, request: SubmissionRequest, limits: JobLimits) -> SubmissionOutcome:
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(settings, path, request, limits, sender), daemon=True)
    process.start()
    sender.close()
    heard = _Heard()
    try:
        heard = _listen(receiver, process.pid or 0, limits)
    finally:
        if process.is_alive() and heard.message is None:
            process.kill()  # over a limit, or the waiting thread was interrupted
        process.join(timeout=30)
        receiver.close()
    if heard.message is not None and heard.message[0] == "done":
        outcome: SubmissionOutcome = heard.message[1]
        return replace(outcome, peak_memory_mb=round(heard.peak_rss_mb))
    if heard.recorded is not None:
        Platform.open(settings).submissions.fail_loads([heard.recorded])
    raise _failure(request, limits, heard, process.exitcode)


def _failure(request: SubmissionRequest, limits: JobLimits, heard: _Heard, exitcode: int | None) -> PivgmError:
    if heard.over_memory:
        return _limit_error(request, limits, f"{limits.memory_mb:,} MB of memory", heard.recorded)
    if heard.timed_out:
        return _limit_error(request, limits, f"{limits.wall_seconds:g} s", heard.recorded)
    if heard.message is None:
        if -(exitcode or 0) in (signal.SIGXCPU, signal.SIGKILL):
            return _limit_error(request, limits, f"{limits.cpu_seconds} s of processor time", heard.recorded)
        return LoadError(f"{request.file_name}: the submission stopped unexpectedly (exit {exitcode}).")
    kind, payload = heard.message
    if kind == "error":
        return _rebuilt(*payload)
    if kind == "memory":
        return _limit_error(request, limits, f"{limits.memory_mb:,} MB of memory", heard.recorded)
    return LoadError(f"{request.file_name}: the submission failed ({payload}).")
