"""Playback benchmarks: key press to first sample deep into long files, and memory while playing.

    /tmp/dev/bin/python bench/bench_playback.py [--runs N]

Long test files are made once (PyAV, about eight minutes) under bench/.data/playback/
(gitignored).
"Key press to first sample" is measured from ``Player.play()`` to the first bytes of audio
arriving at the ALSA device, which a test HOME's ~/.asoundrc turns into a file. Every figure
is printed as a median with its ratio against a baseline measured in the same run (the
same operation at the top of a 3-minute file), so a slow machine shows up in both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from media_fixtures import AUDIO_FORMATS, offset_of, tone_steps  # noqa: E402

DATA = ROOT / "bench" / ".data" / "playback"
RATE = 44100
BLOCK = 60  # seconds per generated block; block k uses seed k, so any minute can be re-made


def long_file(name: str, hours: float, *, bit_rate: int) -> Path:
    """A mono recording of ``hours`` made of tone steps (made once, then reused)."""
    import av

    path = DATA / name
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True, mode=0o700)
    container_format, codec = AUDIO_FORMATS[path.suffix]
    rate = 48000 if codec == "libopus" else RATE
    partial = path.with_suffix(".part" + path.suffix)
    started = time.monotonic()
    with av.open(str(partial), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        stream.bit_rate = bit_rate
        for block in range(int(hours * 3600 / BLOCK)):
            samples = tone_steps(BLOCK, rate, seed=block)[None, :]
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = block * BLOCK * rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    partial.chmod(0o600)
    partial.rename(path)
    print(f"  made {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s")
    return path


def check_seek_accuracy(path: Path, at: float) -> float:
    """Milliseconds between where a decode at ``at`` starts and where it should."""
    from tui.media.decode import read_pcm

    rate = 48000 if path.suffix in (".opus", ".ogg") else RATE
    got = read_pcm(path, at, at + 1.0, rate=rate)
    block, into = divmod(at, BLOCK)
    reference = tone_steps(BLOCK, rate, seed=int(block))
    lo = max(0, int((into - 0.2) * rate))
    found = lo + offset_of(got[: rate // 2], reference[lo : int((into + 0.8) * rate)])
    return (found - into * rate) / rate * 1000


class AlsaToFile:
    """A private HOME whose ~/.asoundrc makes ALSA write every played sample to files."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="debrief-bench-"))
        self.out = self.home / "out.raw"
        config = ('pcm.!default { type file; slave { pcm { type null } }; file "%s"; format "raw"; '
                  'truncate false }\n' % self.out)
        (self.home / "asound.conf").write_text(config)
        # The whole ALSA configuration: the machine's PulseAudio/PipeWire hooks stay out of it.
        os.environ["ALSA_CONFIG_PATH"] = str(self.home / "asound.conf")

    def clear(self) -> None:
        for path in self.home.glob("out.raw*"):
            path.unlink()

    def first_bytes_after(self, began: float, timeout: float = 5.0) -> float | None:
        while time.monotonic() - began < timeout:
            for path in self.home.glob("out.raw*"):
                if path.stat().st_size > 0:
                    return time.monotonic() - began
            time.sleep(0.001)
        return None


def key_to_first_sample(player, sink: AlsaToFile, path: Path, start: float, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        player.pause()
        sink.clear()
        time.sleep(1.0)  # the spare child finishes its imports, as it would between key presses
        began = time.monotonic()
        player.play(path, start)
        took = sink.first_bytes_after(began)
        if took is not None:
            times.append(took)
    player.pause()
    return times


def rss_peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child_peak_memory(player, path: Path, start: float, seconds: float) -> int:
    """Peak RSS (KiB) of the playback child after ``seconds`` of playing from ``start``."""
    player.play(path, start, speed=2.5)
    time.sleep(seconds)
    peak = rss_peak_kib(player.child_pid()) if player.child_pid() else 0
    player.pause()
    return peak


def streaming_memory(path: Path, start: float, minutes: float) -> tuple[int, int]:
    """RSS (KiB) of this process after 1 and after ``minutes`` of decoding at full speed."""
    from tui.media.decode import iter_pcm

    def rss() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    stream = iter_pcm(path, start, end=start + minutes * 60, rate=48000, channels=2)
    early = late = 0
    produced = 0
    for chunk in stream:
        produced += len(chunk)
        if not early and produced > 48000 * 4 * 60:
            early = rss()
    late = rss()
    stream.close()
    return early, late


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    print("test files (bench/.data/playback):")
    mp3_2h = long_file("two_hours.mp3", 2, bit_rate=64000)
    m4a_2h = long_file("two_hours.m4a", 2, bit_rate=64000)
    mp3_3m = long_file("three_minutes.mp3", 0.05, bit_rate=64000)
    m4a_3m = long_file("three_minutes.m4a", 0.05, bit_rate=64000)
    opus_3h = long_file("three_hours.opus", 3, bit_rate=16000)
    opus_3m = long_file("three_minutes.opus", 0.05, bit_rate=16000)

    at = 1 * 3600 + 45 * 60
    print("\nseek accuracy at 1:45:00 (decode vs the generated signal):")
    for path in (mp3_2h, m4a_2h, opus_3h):
        print(f"  {path.name:18s} {check_seek_accuracy(path, at):+.2f} ms")

    sink = AlsaToFile()
    os.environ["HOME"] = str(sink.home)
    from tui.media.playback import open_player

    print(f"\nkey press to first sample, median of {args.runs} (simpleaudio backend, ALSA to file):")
    player = open_player("simpleaudio")
    try:
        for long, short in ((mp3_2h, mp3_3m), (m4a_2h, m4a_3m)):
            base = statistics.median(key_to_first_sample(player, sink, short, 0.0, args.runs))
            deep = statistics.median(key_to_first_sample(player, sink, long, at, args.runs))
            print(
                f"  {long.suffix:5s} baseline (3-min file, 0:00) {base * 1000:6.1f} ms   "
                f"1:45:00 into 2 h {deep * 1000:6.1f} ms   ratio {deep / base:.2f}   target <= 150 ms"
            )

        cold = []
        for _ in range(3):
            fresh = open_player("simpleaudio")
            sink.clear()
            began = time.monotonic()
            fresh.play(mp3_2h, at)
            cold.append(sink.first_bytes_after(began) or float("nan"))
            fresh.close()
        print(f"  cold (first play, no warm child yet): {statistics.median(cold) * 1000:.0f} ms")

        print("\npeak memory of the playback child (VmHWM), 10 s at 2.5x:")
        small = child_peak_memory(player, opus_3m, 60.0, 10)
        large = child_peak_memory(player, opus_3h, 2 * 3600, 10)
        print(
            f"  3-minute file {small / 1024:6.1f} MiB   3-hour file {large / 1024:6.1f} MiB   "
            f"ratio {large / small:.2f}"
        )
    finally:
        player.close()
        shutil.rmtree(sink.home, ignore_errors=True)

    early, late = streaming_memory(opus_3h, 3600.0, 30)
    print(
        f"\nin-process decode of 30 min of the 3-hour file: RSS after 1 min {early / 1024:.1f} MiB, "
        f"after 30 min {late / 1024:.1f} MiB (ratio {late / early:.2f})"
    )


if __name__ == "__main__":
    main()
