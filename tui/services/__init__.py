"""Services: the operations the CLI and the app share (open, transcribe many, export, check), built on media, store and formats."""
