"""Shared fixtures. Every test runs with the network blocked: Debrief must never need it."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_sessions"
REAL = ROOT / "tests" / "data" / "real"
"""Real recordings the suite needs, copied into the project with their notices (SOURCES.md)."""


class NetworkBlocked(RuntimeError):
    pass


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def pytest_configure(config):
    config.addinivalue_line("markers", "loopback: the test serves something on 127.0.0.1 and may connect to it "
                                       "(every other address stays blocked)")


@pytest.fixture(autouse=True)
def no_network(monkeypatch, request):
    """Any attempt to open an internet connection fails the test that made it.

    A test marked ``@pytest.mark.loopback`` may connect to 127.0.0.1 (a local mirror it serves).
    """
    real_connect = socket.socket.connect
    real_create = socket.create_connection
    loopback = request.node.get_closest_marker("loopback") is not None
    attempts: list[object] = []

    def allowed(address) -> bool:
        return loopback and isinstance(address, tuple) and address[0] in LOOPBACK

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not allowed(address):
            attempts.append(address)
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def create(address, *args, **kwargs):
        if allowed(address):
            return real_create(address, *args, **kwargs)
        return guarded(socket.socket(), address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "create_connection", create)
    yield attempts
    assert not attempts, f"network connections attempted: {attempts}"


@pytest.fixture(autouse=True, scope="session")
def private_cache_for_the_session(tmp_path_factory):
    """Module-scoped fixtures are made before the per-test environment below: they must not reach
    the user's real cache either (with debrief[multilingual] installed, the default model is
    assembled into the cache on first use)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("session-cache")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch, tmp_path_factory):
    """Tests never touch the user's real config or database, and never make sound."""
    monkeypatch.delenv("DEBRIEF_DB", raising=False)
    monkeypatch.setenv("DEBRIEF_AUDIO", "silent")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def truth_transcript(name: str):
    """The exact transcript a sample session was built from (what a perfect transcriber would give)."""
    from tui.core.model import Segment, Speaker, Transcript

    data = json.loads((SAMPLES / f"{name}.truth.json").read_text())
    return Transcript(
        segments=tuple(Segment(s["start"], s["end"], s["text"], s["speaker"]) for s in data["segments"]),
        speakers=tuple(Speaker(s["id"]) for s in data["speakers"]),
        duration=data["duration"],
        source="truth",
    ), data


@pytest.fixture
def short_recording(tmp_path) -> Path:
    """A private copy of the short sample session (its library is the temp folder)."""
    target = tmp_path / "short_session.ogg"
    shutil.copy(SAMPLES / "short_session.ogg", target)
    return target


@pytest.fixture
def short_workspace(short_recording):
    """The short sample opened, with its true transcript cached and speakers named."""
    from tui.services.workspace import open_recording

    ws = open_recording(short_recording)
    transcript, data = truth_transcript("short_session")
    ws.save_transcript(transcript)
    ws.annotations.set("speakers", {s["id"]: {"name": s["name"], "role": s["role"]} for s in data["speakers"]})
    return ws


@pytest.fixture
def review_app(short_workspace):
    """The sample session open for review, with one mark and a note: what the snapshots show."""
    from app_helpers import make_app
    from tui.core.model import Mark

    short_workspace.annotations.add_mark(
        Mark("m1", 15.621, 17.858, "open-question", "Asked what she noticed", "coach", "2026-11-09T10:00:00Z"))
    return make_app(short_workspace, author="coach")
