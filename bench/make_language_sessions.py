"""Generate a Spanish and a German coaching session (two espeak-ng voices each), with their text.

Why: Debrief's real recordings are all English; the language work (issue #20) needs sessions in
other languages whose words are known by construction, to measure word recall and language
detection. Needs espeak-ng and sox (Debian packages): only this script does, never the app
or the tests. Writes to bench/.data/languages/ (gitignored, private):

    <lang>_session_<a|b>.wav         16 kHz mono, two voices taking turns 0.5 s apart
    <lang>_session_<a|b>.words.txt   the reference text, one utterance a line

Usage: python bench/make_language_sessions.py [--force]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / ".data" / "languages"

VOICE_PAIRS = (("m3", "f2"), ("m1", "f4"))
"""Each language's session is made once per pair of espeak-ng voice variants (name suffix a, b)."""

SESSIONS = {
    "es": ([
        "Hola, ¿cómo te ha ido la semana con tu grupo de estudiantes?",
        "Bastante bien, aunque el martes la clase estuvo muy inquieta.",
        "¿Qué crees que pasó el martes?",
        "Creo que la actividad era demasiado larga y perdieron el interés.",
        "Cuéntame más sobre esa actividad.",
        "Tenían que leer un texto y responder diez preguntas en silencio.",
        "¿Cómo supiste que habían perdido el interés?",
        "Empezaron a hablar entre ellos y nadie terminó las preguntas.",
        "Entonces, ¿qué harías diferente la próxima vez?",
        "Dividiría el texto en partes más cortas y trabajaríamos en parejas.",
        "Me parece una buena idea. ¿Cuándo lo vas a probar?",
        "El jueves, con el mismo grupo, para poder comparar.",
        "Perfecto. Hablamos la semana que viene sobre lo que observes.",
    ],),
    "de": ([
        "Hallo, wie ist die Woche mit deiner Klasse gelaufen?",
        "Ganz gut, aber am Dienstag war die Klasse sehr unruhig.",
        "Was glaubst du, was am Dienstag passiert ist?",
        "Ich glaube, die Aufgabe war zu lang und sie haben das Interesse verloren.",
        "Erzähl mir mehr über diese Aufgabe.",
        "Sie mussten einen Text lesen und zehn Fragen still beantworten.",
        "Woran hast du gemerkt, dass sie das Interesse verloren haben?",
        "Sie haben angefangen miteinander zu reden und niemand wurde fertig.",
        "Was würdest du beim nächsten Mal anders machen?",
        "Ich würde den Text in kürzere Teile teilen und die Kinder zu zweit arbeiten lassen.",
        "Das klingt nach einer guten Idee. Wann willst du es ausprobieren?",
        "Am Donnerstag, mit derselben Klasse, damit ich vergleichen kann.",
        "Sehr gut. Wir sprechen nächste Woche darüber, was du beobachtest.",
    ],),
}


def make(language: str, pair: int = 0, force: bool = False) -> tuple[Path, Path]:
    (lines,) = SESSIONS[language]
    voices = tuple(f"{language}+{variant}" for variant in VOICE_PAIRS[pair])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(OUT_DIR, 0o700)
    name = f"{language}_session_{'ab'[pair]}"
    wav = OUT_DIR / f"{name}.wav"
    words = OUT_DIR / f"{name}.words.txt"
    if wav.exists() and words.exists() and not force:
        return wav, words
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for n, line in enumerate(lines):
            raw = Path(tmp) / f"{n:02d}.wav"
            subprocess.run(["espeak-ng", "-v", voices[n % 2], "-s", "150", "-w", str(raw), line], check=True)
            part = Path(tmp) / f"{n:02d}_16k.wav"
            subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(part), "pad", "0", "0.5"],
                           check=True)
            parts.append(str(part))
        subprocess.run(["sox", *parts, str(wav)], check=True)
    words.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in (wav, words):
        os.chmod(path, 0o600)
    return wav, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    for language in SESSIONS:
        for pair in range(len(VOICE_PAIRS)):
            wav, _ = make(language, pair, args.force)
            print(wav)


if __name__ == "__main__":
    main()
