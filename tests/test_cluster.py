"""`debrief transcribe --cluster`: an archive on Dask workers, the library written by the client only.

The cluster tests start a LocalCluster on 127.0.0.1 (two worker processes); nothing else
on the network is allowed. They skip when Dask distributed is not installed.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from archive_fixtures import make_archive
from tui.services import cluster
from tui.cli import main
from tui.errors import DebriefError

LOOPBACK = ("127.0.0.1", "::1", "localhost")


_REAL_CONNECT = socket.socket.connect  # taken at import, before any test's network block


@pytest.fixture
def loopback(no_network, monkeypatch):
    """The suite's network block, with connections to this machine's loopback allowed (the cluster's)."""
    blocked = socket.socket.connect

    def connect(self, address):
        if isinstance(address, tuple) and address[0] in LOOPBACK:
            return _REAL_CONNECT(self, address)
        return blocked(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


def test_targets_are_parsed_and_bad_ones_named():
    assert cluster.parse_target("local:2") == cluster.Target(local_workers=2)
    assert cluster.parse_target("tcp://10.0.0.5:8786") == cluster.Target(address="tcp://10.0.0.5:8786")
    assert cluster.parse_target("tls://sched.example.org:8786").address == "tls://sched.example.org:8786"
    for bad in ("local:0", "local:two", "10.0.0.5:8786", "http://x:1", "tcp://x", ""):
        with pytest.raises(DebriefError):
            cluster.parse_target(bad)


def test_without_the_extra_the_error_is_the_install_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "archive"
    make_archive(folder, full=False)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if `pip install debrief` without [cluster]
    assert main(["transcribe", str(folder), "--cluster", "local:2"]) == 1
    err = capsys.readouterr().err
    assert err == "debrief: error: --cluster needs Dask distributed, which is not installed: " \
                  "pip install 'debrief[cluster]'\n"
    assert not (folder / "debrief.json.d" / "transcripts").exists(), "nothing was transcribed"


def test_a_worker_reads_the_path_or_says_it_cannot_and_is_sent_the_bytes(tmp_path):
    """Without shared storage the worker answers 'unreadable'; given the bytes it transcribes them."""
    piece = make_archive(tmp_path, full=False)[0]
    size = piece.stat().st_size
    assert cluster.transcribe_task(str(tmp_path / "elsewhere.wav"), size, None, None, "cpu", None, 2, None,
                                   None)["unreadable"]
    assert cluster.transcribe_task(str(piece), size + 1, None, None, "cpu", None, 2, None, None)["unreadable"]
    from_path = cluster.transcribe_task(str(piece), size, None, None, "cpu", None, 2, None, None)
    from_bytes = cluster.transcribe_task("/not/on/this/worker/piece_1.wav", size, piece.read_bytes(), None, "cpu",
                                         None, 2, None, None)
    assert from_path["transcript"]["segments"], "the piece has speech"
    assert from_bytes["transcript"]["segments"] == from_path["transcript"]["segments"]
    assert cluster.worker_transcriber(None, "cpu", None, 2) is cluster.worker_transcriber(None, "cpu", None, 2), \
        "one model per worker process, loaded once"


def test_an_unreachable_scheduler_is_one_line(tmp_path, loopback, capsys, monkeypatch):
    pytest.importorskip("distributed")
    folder = tmp_path / "archive"
    make_archive(folder, full=False)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2.0)
    assert main(["transcribe", str(folder), "--cluster", f"tcp://127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"debrief: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_worker_killed_mid_run_loses_nothing_and_saves_each_recording_once(tmp_path, loopback):
    """Two worker processes on 127.0.0.1; one is killed while it transcribes; the engine retries its work."""
    pytest.importorskip("distributed")
    from tui.services import batch

    folder = tmp_path / "archive"
    recordings = make_archive(folder)
    planned = batch.plan([folder], None, None, False)
    todo, skipped = planned.todo, planned.skipped
    assert len(todo) == len(recordings) == 6 and not skipped

    done: list[Path] = []
    workers_of: dict[Path, int] = {}
    killed: dict = {}
    first_done = threading.Event()

    def on_done(result):
        done.append(result.path)
        first_done.set()

    def on_result(path, info):
        workers_of[path] = info["pid"]

    with cluster.session(cluster.Target(local_workers=2)) as client:
        def kill_a_busy_worker():
            first_done.wait(120)  # models loaded, work flowing
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not killed:
                busy = {addr: keys for addr, keys in client.processing().items() if keys}
                if busy:
                    address, keys = next(iter(busy.items()))
                    pid = client.run(os.getpid, workers=[address])[address]
                    os.kill(pid, signal.SIGKILL)
                    killed.update(pid=pid, keys=list(keys))
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
        killer.start()
        failed: list = []
        finished = cluster.run(todo, target=cluster.Target(local_workers=2), model=None, threads=1, speakers=None,
                               device="cpu", client=client, on_done=on_done, on_result=on_result,
                               on_failed=lambda p, why: failed.append((p, why)))
        killer.join(5)

    assert killed, "a worker was killed while it had a recording"
    assert not failed
    assert finished == 6
    assert Counter(done) == Counter(recordings), "every recording reported done exactly once"
    by_key = {ws.info.id[:16]: ws.recording for ws in todo}
    interrupted = [by_key[k.split("-")[2]] for k in killed["keys"]]
    assert interrupted, "the killed worker had work"
    for path in interrupted:
        assert workers_of[path] != killed["pid"], f"{path.name} was transcribed again by the surviving worker"
    # In the library: a complete transcript for every recording, and a rerun has nothing left to do.
    again = batch.plan([folder], None, None, False)
    todo_again, skipped_again = again.todo, again.skipped
    assert not todo_again and len(skipped_again) == 6
    from tui.services.workspace import open_recording

    for path in recordings:
        transcript = open_recording(path).cached_transcript()
        assert transcript is not None and transcript.complete and transcript.segments


BLIND_WORKER = """
import os

_real_access = os.access
HIDDEN = {hidden!r}


def dask_setup(worker):
    # This worker machine does not share the client's storage: the archive's folder is not there.
    os.access = lambda path, mode, **kw: False if str(path).startswith(HIDDEN) else _real_access(path, mode, **kw)
"""


def test_workers_without_shared_storage_are_sent_the_recordings(tmp_path, loopback):
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from tui.services import batch

    folder = tmp_path / "archive"
    made = make_archive(folder, full=False)
    recordings = made[:3]
    for extra in made[3:]:
        extra.unlink()
    preload = tmp_path / "blind_worker.py"
    preload.write_text(BLIND_WORKER.format(hidden=str(folder.resolve())))
    todo = batch.plan([folder], None, None, False).todo
    infos: dict[Path, dict] = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      preload=[str(preload)]) as engine, Client(engine) as client:
        target = cluster.Target(address=engine.scheduler_address)  # a scheduler's address, as with tcp://HOST
        finished = cluster.run(todo, target=target, model=None, threads=1, speakers=None, device="cpu",
                               client=client, on_result=lambda p, info: infos.__setitem__(p, info))
    assert finished == 3 and sorted(infos) == sorted(recordings)
    assert {info["audio"] for info in infos.values()} == {"sent"}, "the workers could not read the paths"
    from tui.services.workspace import open_recording

    for path in recordings:
        transcript = open_recording(path).cached_transcript()
        assert transcript is not None and transcript.segments, f"{path.name} was transcribed from its bytes"


def _cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "DEBRIEF_AUDIO": "silent", "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    # SIGINT as a terminal's Ctrl-C delivers it, even when this suite runs where it is ignored (a background job).
    return subprocess.Popen([sys.executable, "-m", "tui.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_cli_ctrl_c_keeps_finished_transcripts_and_a_rerun_does_only_the_rest(tmp_path):
    pytest.importorskip("distributed")
    folder = tmp_path / "archive"
    recordings = make_archive(folder)
    child = _cli("transcribe", str(folder), "--cluster", "local:2")
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in child.stdout], daemon=True).start()
    seen = []
    try:
        while True:
            line = lines.get(timeout=180)
            seen.append(line)
            if line.rstrip().endswith("saved"):
                break
        child.send_signal(signal.SIGINT)  # the user's Ctrl-C, once a first transcript is saved
        child.wait(60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    err = child.stderr.read()
    assert child.returncode == 130, err
    assert err.splitlines() == ["debrief: interrupted"], err
    assert seen[0].startswith("transcribing on 2 Dask worker(s) at local:2")
    time.sleep(0.5)
    while not lines.empty():
        seen.append(lines.get())
    # A set: Ctrl-C landing inside Rich's print of a line can make Rich write that line again as it stops.
    saved_first = {line.split(":")[0] for line in seen if line.rstrip().endswith("saved")}
    assert saved_first and len(saved_first) < 6

    again = subprocess.run([sys.executable, "-m", "tui.cli", "transcribe", str(folder), "--cluster", "local:2"],
                           capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=300)
    assert again.returncode == 0, again.stderr
    out = again.stdout.splitlines()
    skipped = [line.split(":")[0] for line in out if "already transcribed" in line]
    saved = [line.split(":")[0] for line in out if line.rstrip().endswith("saved")]
    assert sorted(skipped) == sorted(saved_first), "what finished before Ctrl-C is kept, not redone"
    assert sorted(saved + skipped) == sorted(str(p) for p in recordings), "every recording once"


# -- the device -------------------------------------------------------------------------

def test_device_choice_on_this_machine(capsys):
    from tui.media.device import choose, cuda_devices

    assert choose("cpu") == choose("cpu", "int8")
    assert choose("cpu").device == "cpu" and choose("cpu").compute_type == "int8", "the CPU path as it always was"
    assert choose("auto").device == ("cuda" if cuda_devices() else "cpu")
    with pytest.raises(DebriefError, match="compute type float16 does not work on this machine's cpu"):
        choose("cpu", "float16")


@pytest.mark.skipif(__import__("tui.media.device", fromlist=["x"]).cuda_devices() > 0, reason="a GPU is here")
def test_asking_for_cuda_without_a_gpu_is_one_line(tmp_path, capsys):
    folder = tmp_path / "archive"
    make_archive(folder, full=False)
    assert main(["transcribe", str(folder), "--device", "cuda"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error: --device cuda: no CUDA GPU works on this machine") and err.count("\n") == 1
    assert not (folder / "debrief.json.d" / "transcripts").exists()


@pytest.mark.skipif(__import__("tui.media.device", fromlist=["x"]).cuda_devices() == 0, reason="no CUDA GPU here")
def test_transcribing_on_the_gpu(tmp_path, capsys):
    from tui.services.workspace import open_recording

    folder = tmp_path / "archive"
    piece = make_archive(folder, full=False)[0]
    assert main(["transcribe", str(piece), "--device", "cuda"]) == 0
    transcript = open_recording(piece).cached_transcript()
    assert transcript is not None and transcript.segments
    assert cluster.transcribe_task(str(piece), piece.stat().st_size, None, None, "auto", None, None, None,
                                   None)["device"] == "cuda", "a worker on a GPU node uses it"
