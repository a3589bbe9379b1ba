"""Debrief: a keyboard-driven terminal reviewer for recorded coaching, teaching and therapy sessions."""

__version__ = "0.1.0"
