"""The recording as 16 kHz float32 audio for recognition: decoded whole, or block by block.

Why a module of its own: recognition reads the file as it goes and cuts it into windows in
a pause of the voice (so that no word or sentence is cut in two), while separation needs the
whole recording; both decode as faster-whisper's ``decode_audio`` does, with the same samples.
"""

from __future__ import annotations

from pathlib import Path

from tui.errors import MediaError

SAMPLE_RATE = 16000
_CUT_SEARCH_SECONDS = 10.0
"""By default a window ends at the quietest 0.1 s within this many seconds of its nominal end."""


def decode_channels(path: Path):
    """The recording as one or two 16 kHz float32 channels (two only for stereo files)."""
    from faster_whisper.audio import decode_audio

    stereo = is_stereo(path)
    try:
        decoded = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=stereo)
    except Exception as exc:
        raise MediaError(f"cannot decode {path}: {exc}") from exc
    channels = list(decoded) if stereo else [decoded]
    if channels[0].shape[0] == 0:
        raise MediaError(f"{path} holds no audio samples")
    return channels


def is_stereo(path: Path) -> bool:
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise MediaError(f"{path} has no audio stream")
            return container.streams.audio[0].codec_context.channels == 2
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(f"cannot decode {path}: {exc}") from exc


def duration_estimate(path: Path) -> float:
    """The recording's length from its header (0 when it does not say), for progress while decoding."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return max(0.0, (container.duration or 0) / 1_000_000)
    except Exception:
        return 0.0


def blocks_of(audio, seconds: float = 10.0):
    step = int(seconds * SAMPLE_RATE)
    return (audio[i:i + step] for i in range(0, audio.shape[0], step))


def mono_blocks(path: Path, heard: list[float] | None = None):
    """The recording as 16 kHz mono float32 blocks of about 10 s, decoded as they are needed.

    The same decoding as faster-whisper's ``decode_audio`` (same resampler, same samples). Nothing
    is kept: each window's voice evidence stands for its samples (tui.media.voice_evidence).
    """
    import av
    from faster_whisper.audio import _group_frames, _ignore_invalid_frames, _resample_frames
    import numpy as np

    try:
        resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            frames = _resample_frames(_group_frames(_ignore_invalid_frames(container.decode(audio=0)), 500000),
                                      resampler)
            for frame in frames:
                block = frame.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
                if heard is not None:
                    heard[0] += block.shape[0] / SAMPLE_RATE
                yield block
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError(f"cannot decode {path}: {exc}") from exc


def cut_windows(blocks, sizes, cut=None, search_seconds: float = _CUT_SEARCH_SECONDS):
    """(offset in seconds, samples) windows of the stream ``blocks``, of the lengths ``sizes`` yields.

    Each window ends where ``cut(audio, target, search)`` says, within ``search / 2`` samples of
    its nominal end (default: the quietest tenth of a second), so that no word is cut in two;
    the last one takes what is left.
    """
    import numpy as np

    def samples(seconds: float) -> float:
        return seconds * SAMPLE_RATE if seconds != float("inf") else float("inf")

    cut_at = cut or _quiet_point
    search = int(search_seconds * SAMPLE_RATE)
    pending: list = []
    held = 0
    offset = 0
    target = samples(next(sizes))
    for block in blocks:
        pending.append(block)
        held += block.shape[0]
        while held >= target + search // 2:
            target = int(target)
            audio = np.concatenate(pending)
            end = cut_at(audio, target, search)
            yield offset / SAMPLE_RATE, audio[:end]
            offset += end
            pending, held = [audio[end:]], audio.shape[0] - end
            target = samples(next(sizes))
    if held:
        yield offset / SAMPLE_RATE, np.concatenate(pending)


def _quiet_point(audio, target: int, search: int) -> int:
    """The middle of the quietest 0.1 s frame of ``audio`` within ``search / 2`` samples of ``target``."""
    import numpy as np

    frame = SAMPLE_RATE // 10
    low = max(frame, target - search // 2)
    high = min(audio.shape[0] - frame, target + search // 2)
    if high <= low:
        return min(target, audio.shape[0])
    span = audio[low:high]
    count = span.shape[0] // frame
    energy = np.square(span[:count * frame].reshape(count, frame)).mean(axis=1)
    return low + int(np.argmin(energy)) * frame + frame // 2


def silence_cut(audio, target: int, search: int) -> int:
    """The middle of the longest pause in the voice within ``search / 2`` samples of ``target``.

    Why not the quietest tenth of a second: in talk that is often a gap between two words of
    one sentence, and recognition then hears half a sentence at the end of one window and
    the rest at the start of the next. A pause the voice activity finds (nearest the target
    among the longest) is where a speaker stopped. No pause at all: the quietest point.
    """
    from tui.media.voice_activity import VOICE, speech_probabilities, stretches

    low = max(0, target - search // 2)
    high = min(audio.shape[0], target + search // 2)
    if high - low < SAMPLE_RATE:
        return _quiet_point(audio, target, search)
    region = audio[low:high]
    voice = stretches(speech_probabilities(region), region.shape[0], VOICE)
    if not voice:
        return target
    edges = [0] + [x for v in voice for x in (v["start"], v["end"])] + [region.shape[0]]
    pauses = [(b - a, a, b) for a, b in zip(edges[::2], edges[1::2]) if b > a]
    if not pauses:
        return _quiet_point(audio, target, search)
    _, a, b = max(pauses, key=lambda p: (p[0], -abs(low + (p[1] + p[2]) // 2 - target)))
    return low + (a + b) // 2


def stack_channels(channels):
    import numpy as np

    return np.stack(channels)


def speech_only(audio, stretches: list[dict], longest: float = float("inf")):
    """(the samples of ``stretches`` joined, clips in seconds of that): what faster-whisper's VAD filter feeds the model.

    Why: voice activity runs once (tui.media.voice_activity) and recognition is given its
    stretches instead of finding them again. Joined as faster-whisper joins them (silence
    between stretches left out); with ``longest``, consecutive stretches are grouped into clips
    of at most that many seconds (the batched pipeline's 30 s chunks, as its ``collect_chunks``
    groups them). Times in the result are mapped back with :func:`restore_times`.
    """
    import numpy as np

    clips: list[dict] = []
    start = held = 0
    limit = longest * SAMPLE_RATE
    for stretch in stretches:
        size = stretch["end"] - stretch["start"]
        if held and held + size > limit:
            clips.append({"start": (start + 0.5) / SAMPLE_RATE, "end": (start + held + 0.5) / SAMPLE_RATE})
            start, held = start + held, 0
        held += size
    if held:
        clips.append({"start": (start + 0.5) / SAMPLE_RATE, "end": (start + held + 0.5) / SAMPLE_RATE})
    joined = np.concatenate([audio[s["start"]:s["end"]] for s in stretches]) if stretches else audio[:0]
    return joined, clips


def restore_times(pieces, stretches: list[dict]):
    """faster-whisper segments recognised in :func:`speech_only`'s audio, with times in the original audio."""
    from faster_whisper.transcribe import restore_speech_timestamps

    return restore_speech_timestamps(pieces, stretches, SAMPLE_RATE)
