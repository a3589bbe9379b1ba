"""Speech models: the multilingual extra assembled once and safely, `debrief models`, and `models get`.

The assembly is tested on tiny fake parts (CI does not install the 140 MB extra); the download
on a local mirror served on 127.0.0.1, the only place a test may connect to.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import stat
import threading
from pathlib import Path

import pytest

from tui.cli import main
from tui.media import model_catalog
from tui.media.model_catalog import ModelError, assemble, build_vocabulary, complete_folder
from tui.media.model_choice import bundled_model_dir, resolve_model

# -- the multilingual extra, on fake parts ------------------------------------------------------


def _fake_parts(tmp_path: Path, body: bytes = b"0123456789" * 1000) -> tuple[list[Path], dict[str, str]]:
    one, two = tmp_path / "part1" / "data", tmp_path / "part2" / "data"
    one.mkdir(parents=True)
    two.mkdir(parents=True)
    (one / "model.bin.part1").write_bytes(body[: len(body) // 2])
    (two / "model.bin.part2").write_bytes(body[len(body) // 2:])
    (one / "config.json").write_text('{"lang_ids": [5]}')
    tokenizer = {"model": {"vocab": {"a": 0, "b": 1, "\u0120c": 2}},
                 "added_tokens": [{"id": 3, "content": "<|endoftext|>"}, {"id": 4, "content": "<|notimestamps|>"}]}
    (one / "tokenizer.json").write_text(json.dumps(tokenizer))
    vocabulary = "\n".join(["a", "b", "\u0120c", "<|endoftext|>", "<|notimestamps|>",
                            *(f"<|{i * 0.02:.2f}|>" for i in range(1501))]) + "\n"
    expected = {
        "model.bin": hashlib.sha256(body).hexdigest(),
        "config.json": hashlib.sha256(b'{"lang_ids": [5]}').hexdigest(),
        "tokenizer.json": hashlib.sha256(json.dumps(tokenizer).encode()).hexdigest(),
        "vocabulary.txt": hashlib.sha256(vocabulary.encode()).hexdigest(),
    }
    return [one, two], expected


def test_the_extra_is_assembled_once_into_a_private_folder_with_a_vocabulary(tmp_path):
    parts, expected = _fake_parts(tmp_path)
    target = tmp_path / "cache" / "models" / "base"
    folder = model_catalog.multilingual_model(parts, expected=expected, target=target)
    assert folder == target and complete_folder(target)
    assert (target / "model.bin").read_bytes() == b"0123456789" * 1000
    vocabulary = (target / "vocabulary.txt").read_text().splitlines()
    assert vocabulary[:5] == ["a", "b", "\u0120c", "<|endoftext|>", "<|notimestamps|>"]
    assert vocabulary[5] == "<|0.00|>" and vocabulary[-1] == "<|30.00|>" and len(vocabulary) == 5 + 1501
    for path in (target.parent, target):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for path in target.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert [p.name for p in target.parent.iterdir()] == ["base"], "no temporary folder is left behind"
    made = (target / "model.bin").stat().st_mtime_ns
    assert model_catalog.multilingual_model(parts, expected=expected, target=target) == target
    assert (target / "model.bin").stat().st_mtime_ns == made, "the second use does not assemble again"


def test_parts_that_do_not_match_the_recorded_checksum_are_refused_and_nothing_is_kept(tmp_path):
    parts, expected = _fake_parts(tmp_path)
    (parts[1] / "model.bin.part2").write_bytes(b"tampered")
    target = tmp_path / "cache" / "base"
    with pytest.raises(ModelError, match="checksum.*reinstall"):
        model_catalog.multilingual_model(parts, expected=expected, target=target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == [], "the half-made copy is removed"


def test_a_half_written_copy_is_never_trusted(tmp_path):
    parts, expected = _fake_parts(tmp_path)
    target = tmp_path / "cache" / "base"
    assemble(parts, target, expected)
    with open(target / "model.bin", "r+b") as stream:  # the disk filled up, or someone truncated it
        stream.truncate(100)
    assert not complete_folder(target)
    assert model_catalog.multilingual_model(parts, expected=expected, target=target) == target
    assert (target / "model.bin").read_bytes() == b"0123456789" * 1000, "made whole again from the parts"

    shutil.rmtree(target)
    target.mkdir()  # an assembly killed before it finished (no completion marker)
    (target / "model.bin").write_bytes(b"0123")
    assert not complete_folder(target)
    model_catalog.multilingual_model(parts, expected=expected, target=target)
    assert complete_folder(target) and (target / "model.bin").stat().st_size == 10000


def test_an_assembly_that_fails_half_way_leaves_nothing_a_later_run_would_load(tmp_path, monkeypatch):
    parts, expected = _fake_parts(tmp_path)
    target = tmp_path / "cache" / "base"

    def crash(_):
        raise KeyboardInterrupt

    monkeypatch.setattr(model_catalog, "build_vocabulary", crash)
    with pytest.raises(KeyboardInterrupt):
        model_catalog.multilingual_model(parts, expected=expected, target=target)
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_a_missing_part_says_how_to_reinstall(tmp_path):
    parts, expected = _fake_parts(tmp_path)
    (parts[1] / "model.bin.part2").unlink()
    with pytest.raises(ModelError, match=r"incomplete.*pip install 'debrief\[multilingual\]'"):
        assemble(parts, tmp_path / "cache" / "base", expected)


def test_the_vocabulary_lists_every_tokenizer_id_then_the_timestamps(tmp_path):
    (tmp_path / "tokenizer.json").write_text(json.dumps({"model": {"vocab": {"x": 0, "y": 2}}, "added_tokens": []}))
    with pytest.raises(ModelError, match="gaps"):
        build_vocabulary(tmp_path / "tokenizer.json")


needs_extra = pytest.mark.skipif(model_catalog.extra_parts() is None,
                                 reason="the multilingual extra is not installed (pip install '.[multilingual]')")


@needs_extra
def test_the_real_extra_assembles_to_the_recorded_checksum_and_loads_as_multilingual():
    choice = resolve_model(None)
    assert choice.label == "base" and not choice.english_only
    folder = Path(choice.location)
    assert model_catalog.verify_folder(folder) == ""
    assert sum(1 for _ in open(folder / "vocabulary.txt", "rb")) == 51865


# -- debrief models --------------------------------------------------------------------------


def test_models_lists_the_bundled_model_and_says_how_to_get_other_languages(capsys, monkeypatch):
    monkeypatch.setattr(model_catalog, "extra_parts", lambda: None)
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[1]
    assert first.startswith("tiny.en") and "English only" in first and str(bundled_model_dir()) in first
    assert "pip install 'debrief[multilingual]'" in out
    assert "debrief models get NAME" in out and "large-v3" in out


@pytest.mark.parametrize("argv, message", [
    (["models", "get"], "needs a model name"),
    (["models", "get", "huge-v9"], "unknown model 'huge-v9'"),
    (["models", "small"], "did you mean debrief models get small"),
])
def test_bad_models_commands_are_one_line_errors(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error:") and message in err and err.count("\n") == 1


def test_a_model_that_is_not_here_says_how_to_get_it_and_nothing_is_fetched(capsys, no_network):
    assert main(["transcribe", "--model", "small", "nothing.wav"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error:") and "debrief models get small" in err
    assert not no_network


# -- debrief models get, against a local mirror ----------------------------------------------


class Mirror:
    """A Hugging Face-style endpoint on 127.0.0.1 serving one repository's files (with Range)."""

    def __init__(self, repo: str, files: dict[str, bytes]) -> None:
        self.repo, self.files, self.commit = repo, files, "c0ffee" * 6 + "abcd"
        self.ranges: list[str] = []
        self.cut_after: int | None = None
        """Close the connection after this many bytes of model.bin (a dropped download)."""
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                listing = f"/api/models/{mirror.repo}/revision/main?blobs=true"
                prefix = f"/{mirror.repo}/resolve/{mirror.commit}/"
                if self.path == listing:
                    body = json.dumps({"sha": mirror.commit, "siblings": [mirror.sibling(n) for n in mirror.files]})
                    return self.answer(200, body.encode())
                if self.path.startswith(prefix) and self.path[len(prefix):] in mirror.files:
                    name = self.path[len(prefix):]
                    data = mirror.files[name]
                    start = 0
                    if self.headers.get("Range"):
                        mirror.ranges.append(self.headers["Range"])
                        start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    if name == "model.bin" and mirror.cut_after is not None:
                        self.send_response(206 if start else 200)
                        self.send_header("Content-Length", str(len(data) - start))
                        self.end_headers()
                        self.wfile.write(data[start:mirror.cut_after])
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        return None
                    return self.answer(206 if start else 200, data[start:])
                return self.answer(404, b"not found")

            def answer(self, code, body):
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sibling(self, name: str) -> dict:
        data = self.files[name]
        if name == "model.bin":
            return {"rfilename": name, "size": len(data), "lfs": {"sha256": hashlib.sha256(data).hexdigest(),
                                                                  "size": len(data)}}
        blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
        return {"rfilename": name, "size": len(data), "blobId": blob}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror(monkeypatch):
    """The bundled tiny.en's files served as Systran/faster-whisper-base.en: a small real model."""
    files = {p.name: p.read_bytes() for p in bundled_model_dir().iterdir() if p.name in model_catalog.MODEL_FILES}
    files["README.md"] = b"not a model file: never fetched"
    served = Mirror("Systran/faster-whisper-base.en", files)
    monkeypatch.setenv("HF_ENDPOINT", served.url)
    yield served
    served.close()


@pytest.mark.loopback
def test_models_get_fetches_once_with_progress_then_transcribes_offline(mirror, capsys, short_recording):
    assert main(["models", "get", "base.en"]) == 0
    captured = capsys.readouterr()
    folder = model_catalog.cache_dir() / "base.en"
    assert f"base.en is ready in {folder}" in captured.out
    assert "MB" in captured.out or "kB" in captured.out, "a progress bar with sizes was drawn"
    assert complete_folder(folder) and model_catalog.verify_folder(folder) == ""
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(n for n in mirror.files if n != "README.md"),
                                                               model_catalog.MARKER])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())

    assert main(["models"]) == 0
    assert any(line.startswith("base.en") and str(folder) in line for line in capsys.readouterr().out.splitlines())
    assert main(["models", "get", "base.en"]) == 0
    assert "already on this machine" in capsys.readouterr().out

    mirror.close()  # from now on, nothing to reach: the model works offline
    assert resolve_model("base.en").location == str(folder)
    assert main(["transcribe", "--model", "base.en", str(short_recording)]) == 0
    assert "utterances" in capsys.readouterr().out


@pytest.mark.loopback
def test_a_dropped_download_resumes_where_it_stopped(mirror, capsys):
    size = len(mirror.files["model.bin"])
    mirror.cut_after = size // 3
    assert main(["models", "get", "base.en"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error:") and "again to resume" in err
    assert model_catalog.cached("base.en") is None, "a half download is never used"
    partial = model_catalog.cache_dir() / ".download-base.en" / "model.bin"
    assert 0 < partial.stat().st_size < size
    kept = partial.stat().st_size

    mirror.cut_after = None
    assert main(["models", "get", "base.en"]) == 0
    assert mirror.ranges[-1] == f"bytes={kept}-", "only the rest was asked for"
    assert model_catalog.verify_folder(model_catalog.cache_dir() / "base.en") == ""


@pytest.mark.loopback
def test_a_download_that_does_not_match_its_checksum_is_refused(mirror, capsys):
    good = mirror.files["model.bin"]
    listing = mirror.sibling("model.bin")
    mirror.files["model.bin"] = good[:-10] + b"X" * 10
    mirror.sibling = lambda name, real=mirror.sibling: listing if name == "model.bin" else real(name)
    assert main(["models", "get", "base.en"]) == 1
    err = capsys.readouterr().err
    assert "does not match its sha256 checksum" in err
    assert model_catalog.cached("base.en") is None
    with pytest.raises(Exception, match="models get base.en"):
        resolve_model("base.en")


def test_models_says_how_recognition_runs_as_the_config_sets_it(capsys, monkeypatch):
    import tui.config
    from tui.config import Config

    monkeypatch.setattr(model_catalog, "extra_parts", lambda: None)
    assert main(["models"]) == 0
    assert "Recognition: sequential ([transcription] batch_size" in capsys.readouterr().out
    monkeypatch.setattr(tui.config, "load_config", lambda: Config(batch_size=8))
    assert main(["models"]) == 0
    assert "Recognition: batched, 8 chunks at a time" in capsys.readouterr().out
