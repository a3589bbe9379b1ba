"""`debrief doctor` tells what works and how to fix what does not, and never crashes."""

from __future__ import annotations

import os

from tui.cli import main
from tui.services.doctor import library_health, run_all


def test_doctor_reports_every_area(short_workspace, capsys, monkeypatch):
    folder = short_workspace.recording.parent
    os.chmod(folder, 0o700)
    assert main(["doctor", str(folder), "--no-tone"]) == 0
    out = capsys.readouterr().out
    for area in ("python", "package", "config", "network", "model", "audio silent", "audio in use", "database",
                 "database lock", "gpu"):
        assert f"  {area}" in out
    from tui.media.model_choice import resolve_model

    assert f"{resolve_model(None).label} loads" in out and "1 session(s)" in out  # tiny.en, or base with the extra
    assert "FAIL" not in out


def test_doctor_says_whether_cuda_works(monkeypatch):
    from tui.services import doctor
    from tui.media import device

    here = doctor.gpu()
    assert here.area == "gpu" and ("no CUDA GPU usable here" in here.detail) == (device.cuda_devices() == 0)
    monkeypatch.setattr(device, "cuda_devices", lambda: 0)
    none = doctor.gpu()
    assert none.ok and none.warning and "runs on the CPU" in none.detail, "a server without a GPU is normal"
    monkeypatch.setattr(device, "cuda_devices", lambda: 2)
    monkeypatch.setattr(device, "supported_compute_types", lambda d: {"float32", "int8", "float16"})
    assert doctor.gpu().detail == "2 CUDA GPU(s): --device auto transcribes on cuda (float16)"
    monkeypatch.setattr(device, "supported_compute_types", lambda d: set())
    broken = doctor.gpu()
    assert not broken.ok and "cannot compute on them" in broken.detail and "--device cpu" in broken.fix


def test_a_library_others_can_read_is_a_warning_with_the_fix(short_workspace):
    folder = short_workspace.recording.parent
    os.chmod(folder, 0o755)
    warnings = [c for c in library_health(folder) if c.area == "privacy"]
    assert warnings and warnings[0].warning and "chmod o-rwx" in warnings[0].fix


def test_a_corrupt_database_fails_with_a_fix(short_workspace):
    folder = short_workspace.recording.parent
    (folder / "debrief.json").write_text('{"broken": ')
    checks = list(run_all(folder, play_tone=False, preference="silent"))
    bad = [c for c in checks if c.area == "database"][0]
    assert not bad.ok and "debrief.json" in bad.detail and bad.fix
    assert any(c.area == "model" and c.ok for c in checks), "one broken part does not hide the others"
