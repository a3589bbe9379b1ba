"""Textual: the app, its screens and widgets, and debrief.tcss. Renders state and forwards keys."""
