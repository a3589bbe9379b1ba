"""Pure domain code: data classes, time parsing, timeline queries, analytics.

Nothing here does I/O or imports Textual; a test enforces it.
"""
