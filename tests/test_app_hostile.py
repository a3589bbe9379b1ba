"""What another reviewer planted in a shared library is shown, never obeyed, in the app too."""

from __future__ import annotations

from dataclasses import replace

from app_helpers import make_app, screen_text

from tui.core.model import Mark

PLANTED = "x \x1b]0;PWNED\x07 \x1b[2J \u202eevil"


async def test_escape_sequences_and_bidi_overrides_in_notes_names_and_text_are_shown_as_pictures(short_workspace):
    transcript = short_workspace.cached_transcript()
    first = transcript.segments[0]
    transcript = replace(transcript, segments=(replace(first, text=PLANTED), *transcript.segments[1:]))
    short_workspace.save_transcript(transcript)
    short_workspace.annotations.set("speakers", {"S1": {"name": "Ma\x1b[31mria", "role": "coach"}})
    short_workspace.annotations.add_mark(Mark("m1", first.start, None, "growth-edge", PLANTED, "Dana\u202e"))
    app = make_app(short_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
        assert "␛]0;PWNED␇" in shown  # in the transcript row and the note
        assert "<U+202E>evil" in shown
        assert "Ma␛[31mria" in shown
