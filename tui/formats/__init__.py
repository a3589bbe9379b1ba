"""Import and export: Markdown, HTML, CSV, JSON, SRT, WebVTT."""
