"""Submissions checked and loaded in a child process under CPU-time and memory limits, so that no upload can
stall or exhaust the web worker that received it.

Each upload runs in a fresh process forked from a server process that has the platform's modules imported
(``forkserver``), at a lower scheduling priority, with ``RLIMIT_CPU`` and ``RLIMIT_AS`` set before it reads a
byte. The web worker waits for it in a thread, so its event loop keeps answering. A job over a limit is
stopped and answered with a ``processing-limit`` error (413): it was stopped before its submission was
recorded, so nothing is kept (the copy it may have archived is removed unless a submission refers to the same
file), or it was stopped while loading and its submission is marked ``failed``.

The guided upload's pages read the uploaded file the same way (``call_limited``): its preview and its column
editor are built in a limited child too, so a hostile file cannot stall or bloat the worker on those pages.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing import forkserver, resource_tracker
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar, cast

from pivgm.errors import LoadError, PivgmError, in_both
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.warehouse.files import Warehouse
from pivgm.warehouse.locks import no_load_running
from pivgm.workflow.submissions import SubmissionOutcome, SubmissionRequest, submit

T = TypeVar("T")
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


Tell = Callable[[str, Any], None]
"""How a job tells the parent what it wrote: ("archived", the SHA-256 of a file it archived anew),
("recorded", the id of the submission it recorded)."""


@dataclass(frozen=True)
class _Job:
    settings: Settings
    work: Callable[[Platform, Tell], Any]  # picklable: a module-level function or a partial of one
    limits: JobLimits
    scratch: Path  # the child's temporary folder


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pivgm.workflow.job_server"])
    return context


_CONTEXT = _context()


def start_job_server() -> None:
    """Start the process jobs are forked from now, with the server, rather than within a worker's first upload
    (it imports the platform and parses the standard: seconds of processor time taken from the readers then).
    In a web worker forked from a supervisor that called :func:`share_job_server`, the supervisor's is used."""
    forkserver._forkserver.ensure_running()  # the instance's method: share_job_server may have replaced it


def share_job_server() -> None:
    """Start the job server in the process that forks the web workers, for all of them to use: one interpreter
    with the platform imported (about 110 MiB) instead of one per worker.

    The standard library checks that the server is alive with ``waitpid``, which a forked worker cannot do on
    its parent's child; in the workers that check reads the process's state instead, and a worker whose
    shared server has died starts its own."""
    server: Any = forkserver._forkserver  # the module's one instance (private: typeshed omits its state)
    server.ensure_running()
    owner, own_check = os.getpid(), server.ensure_running

    def ensure_running() -> None:
        if os.getpid() != owner and server._forkserver_pid is not None:
            if _running(server._forkserver_pid):
                resource_tracker.ensure_running()  # inherited too: its pipe is checked, not its process
                return
            server._forkserver_pid = None  # gone: the check below starts this worker's own
        own_check()

    server.ensure_running = ensure_running  # what connect_to_new_process calls


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


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


def _child(job: _Job, pipe: Connection) -> None:
    """The job: limits first, then the whole submission; every outcome goes back through ``pipe``, after the
    job's own peak resident memory (which the parent's sampling could miss between two looks). Its temporary
    files go to the parent's scratch folder, removed by the parent however the job ends."""
    _limit(job.limits)
    tempfile.tempdir = str(job.scratch)
    last: tuple[str, Any]
    try:
        platform = Platform.open(job.settings)
        last = ("done", job.work(platform, lambda kind, payload: pipe.send((kind, payload))))
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


def _limit_error(name: str, what: tuple[str, str], recorded: int | None) -> PivgmError:
    """The error for a job on file ``name`` stopped at a limit: ``what`` it needed more of, in English and
    Spanish."""
    if recorded is not None:
        stage = f"while it was loaded; submission {recorded} is marked failed and nothing of it was kept"
        etapa = f"mientras se cargaba; el envío {recorded} quedó marcado como fallido y no se conservó nada de él"
    else:
        stage, etapa = "before anything was recorded", "antes de registrar nada"
    english = (
        f"{name}: checking and loading the file needed more than {what[0]}, the most one submission may use; it "
        f"was stopped {stage}. Split the file (by year or by country) and submit the parts."
    )
    spanish = (
        f"{name}: revisar y cargar el archivo necesitó más de {what[1]}, el máximo que puede usar un envío; se "
        f"detuvo {etapa}. Divida el archivo (por año o por país) y envíe las partes."
    )
    return ProcessingLimitError(english, file=name, submission=recorded, **in_both(spanish, english))


def _memory(limits: JobLimits) -> tuple[str, str]:
    return f"{limits.memory_mb:,} MB of memory", f"{limits.memory_mb:,} MB de memoria"


def _submit(request: SubmissionRequest, platform: Platform, tell: Tell) -> SubmissionOutcome:
    return submit(platform, request, on_recorded=partial(tell, "recorded"), on_archived=partial(tell, "archived"))


def _apply(function: Callable[..., Any], arguments: tuple[Any, ...], platform: Platform, tell: Tell) -> Any:
    return function(platform, *arguments)


def run_limited(settings: Settings, path: Path, request: SubmissionRequest, limits: JobLimits) -> SubmissionOutcome:
    """``submit`` the file at ``path`` in a limited child process (blocking: call it from a thread)."""
    work = partial(_submit, replace(request, path=path))  # read from the file, never whole in memory
    outcome, peak = _run(settings, work, limits, request.file_name)
    return replace(outcome, peak_memory_mb=round(peak))


def discard_unsubmitted(platform: Platform, sha256: str, file_name: str) -> None:
    """Remove the copy of a file that a job archived anew and was stopped before recording its submission,
    unless a submission refers to the same content. Done only while no load runs (another may be archiving
    the same file); otherwise the copy stays, harmless: the same file uploaded again reuses it."""
    with no_load_running(platform.settings.data_dir) as idle:
        if idle and platform.submissions.forget_unsubmitted_file(sha256):
            platform.warehouse.discard_archived(sha256, Path(file_name).suffix.lower())


def call_limited(settings: Settings, file_name: str, function: Callable[..., T], *arguments: Any) -> T:
    """``function(platform, *arguments)`` in a child process under the upload limits, for work that reads the
    uploaded file ``file_name`` (blocking: call it from a thread); its errors are raised here."""
    result, _peak = _run(settings, partial(_apply, function, arguments), JobLimits.from_settings(settings), file_name)
    return cast(T, result)


@dataclass
class _Heard:
    """What the child said: the submission it recorded (if any) and its last word (None if it was killed)."""

    recorded: int | None = None
    archived: str | None = None
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
        elif kind == "archived":
            heard.archived = payload
        elif kind == "peak":
            heard.peak_rss_mb = max(heard.peak_rss_mb, payload)
        else:
            heard.message = (kind, payload)
    return heard


def _run(settings: Settings, work: Callable[[Platform, Tell], Any], limits: JobLimits, name: str) -> tuple[Any, float]:
    """The result of ``work`` in a limited child and the child's peak resident memory in MB."""
    with _slot(settings.upload_jobs), tempfile.TemporaryDirectory(prefix="pivgm-job-") as scratch:
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        job = _Job(settings, work, limits, Path(scratch))
        process = _CONTEXT.Process(target=_child, args=(job, sender), daemon=True)
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
        return heard.message[1], heard.peak_rss_mb
    if process.pid is not None:
        Warehouse(settings.data_dir).discard_partial(process.pid)  # a copy the job was killed writing
    if heard.recorded is not None or heard.archived is not None:
        platform = Platform.open(settings)
        try:
            if heard.recorded is not None:
                platform.submissions.fail_loads([heard.recorded])
            elif heard.archived is not None:
                discard_unsubmitted(platform, heard.archived, name)
        finally:
            platform.close()
    raise _failure(name, limits, heard, process.exitcode)


def _failure(name: str, limits: JobLimits, heard: _Heard, exitcode: int | None) -> PivgmError:
    if heard.over_memory:
        return _limit_error(name, _memory(limits), heard.recorded)
    if heard.timed_out:
        seconds = f"{limits.wall_seconds:g} s"
        return _limit_error(name, (f"{seconds} of time", f"{seconds} de tiempo"), heard.recorded)
    if heard.message is None:
        if -(exitcode or 0) in (signal.SIGXCPU, signal.SIGKILL):
            cpu = f"{limits.cpu_seconds:,} s"
            return _limit_error(name, (f"{cpu} of processor time", f"{cpu} de procesador"), heard.recorded)
        return LoadError(f"{name}: the submission stopped unexpectedly (exit {exitcode}).")
    kind, payload = heard.message
    if kind == "error":
        return _rebuilt(*payload)
    if kind == "memory":
        return _limit_error(name, _memory(limits), heard.recorded)
    return LoadError(f"{name}: the submission failed ({payload}).")
