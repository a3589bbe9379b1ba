"""``debrief doctor``, ``models`` and ``config``: this machine's set-up, not any session.

Why a module of its own: these check and fetch what Debrief needs (audio, models, the config
file) and touch no library's sessions.
"""

from __future__ import annotations

import argparse

from tui.cli.output import shown, shown_lines
from tui.errors import DebriefError


def doctor_command(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.services.doctor import run_all

    try:
        config = load_config()
        preference, command = config.audio, config.audio_command or None
    except DebriefError:
        preference, command = "auto", None  # the config check below reports it
    failed = False
    for check in run_all(args.path, db=args.db, play_tone=not args.no_tone, preference=preference, command=command):
        failed |= not check.ok
        print(f"{check.label:4}  {check.area:14}  {shown(check.detail)}")
        if check.fix and (not check.ok or check.warning):
            print(f"{'':4}  {'':14}  fix: {shown(check.fix)}")
    return 1 if failed else 0


def models_command(args: argparse.Namespace) -> int:
    from tui.media import model_catalog

    if args.action not in ("list", "get"):
        raise DebriefError(f"unexpected {args.action!r}: did you mean debrief models get {args.action}?")
    if args.action == "get":
        if not args.name:
            raise DebriefError("debrief models get needs a model name: " + ", ".join(model_catalog.REPOSITORIES))
        return _get_model(args.name)
    if args.name:
        raise DebriefError(f"debrief models lists models; to fetch one: debrief models get {args.name}")
    rows = model_catalog.installed()
    print(f"{'Model':<18}{'Languages':<30}{'Size':>9}  Where")
    for row in rows:
        where = f"{row.location}" if row.location else "(assembled into the cache on first use)"
        print(shown(f"{row.name:<18}{row.languages:<30}{row.size / 1e6:>6.0f} MB  {where}"))
        if row.note:
            print(shown(f"{'':<18}{row.note}"))
        if args.verify and row.where in ("cache", "extra") and row.location:
            problem = model_catalog.verify_folder(row.location)
            print(shown(f"{'':<18}" + (f"CHECKSUM FAILED: {problem}" if problem else "checksums ok")))
    names = {row.name for row in rows}
    if model_catalog.MULTILINGUAL not in names:
        print(f"\nOther languages: {model_catalog.EXTRA_INSTALL} (Whisper base, 99 languages, no download at run time).")
    more = [name for name in model_catalog.REPOSITORIES if name not in names]
    print("Fetch a larger model once, when you choose to (then it works offline): debrief models get NAME")
    print("  " + ", ".join(more))
    print(shown(f"Model cache: {model_catalog.cache_dir()}"))
    print(f"Recognition: {_recognition_mode()} ([transcription] batch_size in the config: 0 sequential, "
          "8 batched; on two cores batched was no faster on an hour and recalled fewer words of a real meeting, "
          "see bench/README.md)")
    return 0


def _recognition_mode() -> str:
    """Sequential or batched, as the config sets it (``debrief doctor`` reads it the same way)."""
    from tui.media.transcribe import recognition_mode
    from tui.services.doctor import configured_batch_size

    return recognition_mode(configured_batch_size())


def _get_model(name: str) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    from tui.media import model_catalog, model_fetch

    if name not in model_catalog.REPOSITORIES:
        raise DebriefError(f"unknown model {name!r}: known models are {', '.join(model_catalog.REPOSITORIES)}")
    if name == model_catalog.BUNDLED:
        print("tiny.en is bundled with Debrief: nothing to fetch")
        return 0
    already = model_catalog.cached(name)
    if already is None and name == model_catalog.MULTILINGUAL and model_catalog.extra_parts() is not None:
        already = model_catalog.multilingual_model()
    if already is not None:
        print(shown(f"{name} is already on this machine: {already}"))
        return 0
    print(shown(f"fetching {name} from {model_fetch.endpoint()} into {model_catalog.cache_dir()}"))
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(name, total=None)
        folder = model_fetch.fetch(
            name, on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            on_file=lambda filename: progress.update(task, description=f"{name}: {filename}"))
        progress.update(task, description=name)
    print(shown(f"{name} is ready in {folder}: use it with --model {name} (no network needed from now on)"))
    return 0


def config_command(args: argparse.Namespace) -> int:
    from tui.config import describe, load_config, write_example

    if args.init:
        print(shown(f"wrote {write_example()}"))
        return 0
    print(shown_lines(describe(load_config())), end="")
    return 0
