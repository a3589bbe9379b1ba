"""``debrief PATH``: open the app on a recording or a library folder.

Why a module of its own: it is the one command that starts Textual (imported only here,
and only when it runs), with a player and a transcriber built from the config.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def open_command(args: argparse.Namespace) -> int:
    from tui.app.app import DebriefApp, binding_ids
    from tui.config import check_keymap, load_config
    from tui.media.playback import open_player
    from tui.media.model_choice import check_language, resolve_model
    from tui.media.transcribe import Transcriber
    from tui.session.review import Review
    from tui.services.workspace import open_recording

    config = load_config()
    check_keymap(config, binding_ids())
    model = args.model or config.model or None
    language = args.language or config.language
    check_language(resolve_model(model), language)  # a bad --model or --language fails before the screen opens
    player = open_player(args.audio or config.audio, command=args.audio_command or config.audio_command or None)

    def review_of(path: Path) -> Review:
        return Review.open(open_recording(path, args.db), player, speed=config.speed, follow=config.follow,
                           resume_rewind=config.resume_rewind, skip_silence=config.skip_silence_seconds)

    def transcriber() -> Transcriber:
        return Transcriber(model, threads=config.threads or None, speakers=config.expected_speakers or None,
                           language=language, batch_size=config.batch_size)

    try:
        if args.path.is_dir():
            from tui.app.screens.library import LibraryContext
            from tui.services.catalog import open_library

            context = LibraryContext(args.path, open_library(args.path, args.db), review_of, transcriber, player)
            app = DebriefApp(library=context, transcriber_factory=transcriber, keymap=config.keys, config=config)
        else:
            app = DebriefApp(review_of(args.path), transcriber_factory=transcriber, keymap=config.keys,
                             config=config)
    except BaseException:
        player.close()
        raise
    try:
        app.run()
    finally:
        app.close_audio()
    return app.return_code or 0

