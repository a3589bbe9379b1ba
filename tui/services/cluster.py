"""Transcribing an archive on a Dask cluster: one task per recording, the library written here only.

``debrief transcribe FOLDER --cluster tcp://HOST:8786`` sends each recording to an existing
Dask scheduler; ``--cluster local:N`` starts a LocalCluster of N worker processes on this
machine. Needs the ``cluster`` extra (``pip install 'debrief[cluster]'``).

- A task is a pure function, recording -> ``Transcript.to_dict()``. Workers never open the
  library: results come back to this process, which saves each one (atomic, locked, as
  ``debrief transcribe`` always did) as it arrives. So the store needs no network file
  lock, and a task the engine runs again after a worker died is still saved once: each
  recording (by content id) has one future here, and a future has one result.
- Each worker process loads the model once and keeps it (``_TRANSCRIBERS``, keyed by model,
  device, compute type and threads).
- Audio: a worker is first given the path. If it cannot read that path with the same size
  (no shared storage), it says so and the recording's bytes are sent inside a new task. Only
  a few recordings are in flight at once (twice the cluster's threads), so neither the
  client nor the scheduler ever holds the archive in memory.
- Ctrl-C cancels what is queued or running and keeps every transcript already saved; the
  next run skips them (:func:`tui.services.batch.plan`).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tui.services.batch import Done
from tui.core.model import Transcript
from tui.errors import DebriefError
from tui.media.transcribe import Transcriber
from tui.services.workspace import Workspace

INSTALL = "pip install 'debrief[cluster]'"
CONNECT_TIMEOUT = 10.0
MAX_LOCAL_WORKERS = 64
THREADS_ENV = "DEBRIEF_WORKER_THREADS"
"""Set on a worker machine: cores per transcription there (default: its cores over the worker's threads)."""


@dataclass(frozen=True)
class Target:
    """Where to run: a scheduler's address, or a LocalCluster of ``local_workers`` processes."""

    address: str | None = None
    local_workers: int = 0

    def __str__(self) -> str:
        return self.address or f"local:{self.local_workers}"


def parse_target(spec: str) -> Target:
    """``local:N`` or a scheduler address (``tcp://HOST:PORT``, ``tls://HOST:PORT``)."""
    spec = (spec or "").strip()
    if spec.startswith("local:"):
        count = spec[len("local:"):]
        if not count.isdigit() or not 1 <= int(count) <= MAX_LOCAL_WORKERS:
            raise DebriefError(f"--cluster {spec}: local:N needs a number of worker processes from 1 to "
                               f"{MAX_LOCAL_WORKERS}")
        return Target(local_workers=int(count))
    if re.fullmatch(r"(tcp|tls)://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.\-]+):\d{1,5}", spec):
        return Target(address=spec)
    raise DebriefError(f"--cluster {spec!r} is neither a scheduler address (tcp://HOST:8786) nor local:N")


def require_dask():
    """The ``distributed`` package, or the one line that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise DebriefError(f"--cluster needs Dask distributed, which is not installed: {INSTALL}") from None
    return distributed


# -- on the worker ------------------------------------------------------------------------

_TRANSCRIBERS: dict[tuple, Transcriber] = {}
_TRANSCRIBERS_LOCK = threading.Lock()


def worker_transcriber(model: str | None, device: str, compute_type: str | None, threads: int | None,
                       language: str | None = None) -> Transcriber:
    """This process's transcriber for these settings: the model is loaded once per worker and kept."""
    if threads is None:
        threads = _positive(os.environ.get(THREADS_ENV)) or max(1, (os.cpu_count() or 2) // _worker_threads())
    key = (model or "", device, compute_type or "", threads, language or "")
    with _TRANSCRIBERS_LOCK:
        transcriber = _TRANSCRIBERS.get(key)
        if transcriber is None:
            transcriber = _TRANSCRIBERS[key] = Transcriber(model, threads=threads, device=device,
                                                           compute_type=compute_type, language=language)
        return transcriber


def _positive(text: str | None) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if value > 0 else None


def _worker_threads() -> int:
    """How many tasks this worker runs at once (each gets its share of the cores)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except Exception:
        return 1


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except Exception:
        return f"pid {os.getpid()}"


def transcribe_task(path: str, size: int, data: bytes | None, model: str | None, device: str,
                    compute_type: str | None, threads: int | None, speakers: int | None,
                    voices: dict | None, language: str | None = None) -> dict:
    """One recording -> ``{"transcript": Transcript.to_dict(), ...}``; runs on a worker, writes nothing.

    With ``data`` None the worker reads ``path`` itself, and answers ``{"unreadable": True}`` when
    it cannot (no shared storage): the client then sends the bytes.
    """
    started = time.perf_counter()
    transcriber = worker_transcriber(model, device, compute_type, threads, language)
    if data is None:
        try:
            readable = os.path.getsize(path) == size and os.access(path, os.R_OK)
        except OSError:
            readable = False
        if not readable:
            return {"unreadable": True, "worker": _worker_name()}
        transcript = transcriber.transcribe(Path(path), num_speakers=speakers, voices=voices)
    else:
        with tempfile.TemporaryDirectory(prefix="debrief-task-") as folder:
            copy = Path(folder) / ("recording" + Path(path).suffix)
            copy.write_bytes(data)
            transcript = transcriber.transcribe(copy, num_speakers=speakers, voices=voices)
    return {"transcript": transcript.to_dict(), "worker": _worker_name(), "pid": os.getpid(),
            "seconds": time.perf_counter() - started, "device": transcriber.placement.device,
            "audio": "shared" if data is None else "sent"}


# -- on the client ------------------------------------------------------------------------


def connect(target: Target, *, threads: int | None = None, timeout: float | None = None):
    """(client, cluster or None): a connected Dask client; an unreachable scheduler is one clear error."""
    require_dask()
    import logging

    from distributed import Client, LocalCluster

    timeout = timeout or CONNECT_TIMEOUT
    if target.local_workers:
        # The worker processes' semaphores are released as they stop; the tracker's note about them after a
        # Ctrl-C is noise on the user's terminal (it is a child process: it reads this from the environment).
        os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning:multiprocessing.resource_tracker")
        # The engine's own log lines (a lost worker it replaces, a result it gathers again) would break the
        # progress display: what it could not mend reaches the user as that recording's failure.
        # Its HTTP endpoint listens on a free loopback port: never on the network, never "port 8787 in use".
        # One task per worker at a time; each worker has its share of the cores (threads are given per task).
        cluster = LocalCluster(n_workers=target.local_workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
        try:
            return Client(cluster, timeout=timeout), cluster
        except BaseException:
            cluster.close()
            raise
    try:
        return Client(target.address, timeout=timeout), None
    except Exception as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DebriefError(f"cannot reach the Dask scheduler at {target.address}: {why}") from None


@contextmanager
def session(target: Target, *, threads: int | None = None, timeout: float | None = None):
    """A connected client for the ``with`` block (and its LocalCluster), closed after it."""
    client, cluster = connect(target, threads=threads, timeout=timeout)
    try:
        yield client
    finally:
        _close(client, cluster)


def worker_slots(client) -> int:
    """Tasks the cluster runs at once (threads over all workers, at least 1)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:
        return 1


def run(todo: list[Workspace], *, target: Target, model: str | None, threads: int | None,
        speakers: int | None, device: str = "auto", compute_type: str | None = None, language: str | None = None,
        on_ready: Callable[[int, str], None] | None = None,
        on_done: Callable[[Done], None] | None = None,
        on_failed: Callable[[Path, str], None] | None = None,
        on_result: Callable[[Path, dict], None] | None = None,
        client=None) -> int:
    """Transcribe ``todo`` on the cluster; each transcript is saved here as it arrives. Returns how many.

    ``on_ready(workers, where)`` once connected; ``on_result(path, info)`` with the worker's
    figures (worker, seconds) for benchmarks; ``client``: an already connected client to use
    (it is left open).
    """
    if not todo:
        return 0
    own = client is None
    cluster = None
    if own:
        client, cluster = connect(target, threads=threads)
    if threads is None and target.local_workers:
        threads = max(1, (os.cpu_count() or 2) // target.local_workers)
    try:
        if on_ready:
            on_ready(len(client.scheduler_info().get("workers", {})), str(target))
        return _run(client, todo, model=model, threads=threads, speakers=speakers, device=device,
                    compute_type=compute_type, language=language, on_done=on_done, on_failed=on_failed,
                    on_result=on_result)
    finally:
        if own:
            _close(client, cluster)


def _close(client, cluster) -> None:
    try:
        client.close(timeout=5)
    except Exception:
        pass
    if cluster is not None:
        try:
            cluster.close(timeout=10)
        except Exception:
            pass


def _run(client, todo: list[Workspace], *, model, threads, speakers, device, compute_type, language,
         on_done, on_failed, on_result) -> int:
    from distributed import as_completed

    # One task per distinct recording (identical copies are one session, transcribed once).
    groups: dict[str, list[Workspace]] = {}
    for ws in todo:
        groups.setdefault(ws.info.id, []).append(ws)
    queue = list(groups)
    window = max(2, 2 * worker_slots(client))
    run_token = uuid.uuid4().hex[:8]
    pending: dict = {}  # future -> (session id, attempt)
    saved: set[str] = set()
    finished = 0

    def submit(session_id: str, send_bytes: bool, attempt: int) -> None:
        try:
            _submit(session_id, send_bytes, attempt)
        except (OSError, DebriefError) as exc:  # moved or unreadable since it was planned: that one fails alone
            for ws in groups[session_id]:
                if on_failed:
                    on_failed(ws.recording, str(exc) if isinstance(exc, DebriefError) else f"cannot read it: {exc}")

    def _submit(session_id: str, send_bytes: bool, attempt: int) -> None:
        ws = groups[session_id][0]
        path = ws.recording.resolve()
        size = path.stat().st_size
        # The bytes go inside the task, not scattered: a scattered copy dies with the worker holding it,
        # while the scheduler keeps the task whole and can run it again after a worker is lost.
        data = path.read_bytes() if send_bytes else None
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")  # a recording is large: it is meant
            future = client.submit(transcribe_task, str(path), size, data, model, device, compute_type, threads,
                                   speakers, ws.voices() or None, language,
                                   key=f"debrief-transcribe-{session_id[:16]}-{run_token}-{attempt}", pure=False)
        pending[future] = (session_id, attempt)
        completed.add(future)

    completed = as_completed()
    try:
        while queue and len(pending) < window:
            submit(queue.pop(0), False, 0)
        for future in completed:
            session_id, attempt = pending.pop(future)
            paths = [w.recording for w in groups[session_id]]
            try:
                result = future.result()
            except DebriefError as exc:
                for path in paths:
                    if on_failed:
                        on_failed(path, str(exc))
                result = None
            except Exception as exc:  # the engine's own failures (a worker that kept dying, a lost scheduler)
                for path in paths:
                    if on_failed:
                        on_failed(path, _engine_failure(exc))
                result = None
            if result is not None and result.get("unreadable"):
                submit(session_id, True, attempt + 1)  # no shared storage: send the recording itself
                continue
            if result is not None and session_id not in saved:
                saved.add(session_id)
                finished += _save(groups[session_id], result, on_done, on_failed, on_result)
            window = max(2, 2 * worker_slots(client))  # workers may have joined or left
            while queue and len(pending) < window:
                submit(queue.pop(0), False, 0)
    except BaseException:
        # Ctrl-C (or anything else): nothing new starts, what is queued or running is cancelled;
        # every transcript saved so far stays.
        try:
            client.cancel(list(pending), force=True)
        except Exception:
            pass
        raise
    return finished


def _save(workspaces: list[Workspace], result: dict, on_done, on_failed, on_result) -> int:
    try:
        transcript = Transcript.from_dict(result["transcript"])
    except Exception as exc:
        for ws in workspaces:
            if on_failed:
                on_failed(ws.recording, f"the worker sent back an unreadable transcript ({exc})")
        return 0
    workspaces[0].save_transcript(transcript)  # copies share one session id: one save serves them all
    for ws in workspaces:
        if on_result:
            on_result(ws.recording, result)
        if on_done:
            on_done(Done(ws.recording, len(transcript.segments), len(transcript.speakers)))
    return len(workspaces)


def _engine_failure(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return "every worker that ran it died (Dask gave up after its allowed retries)"
    if isinstance(exc, ImportError):
        return f"a worker cannot run Debrief ({exc}): {INSTALL} on every worker, the same version as here"
    if name == "CancelledError":
        return "cancelled by the cluster (was the scheduler restarted?)"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{name}: {text}" if text else name
