"""The review screen, one module per concern; :class:`ReviewScreen` composes them."""

from .screen import NOTES_FOLLOW_SECONDS, ReviewScreen

__all__ = ["NOTES_FOLLOW_SECONDS", "ReviewScreen"]
