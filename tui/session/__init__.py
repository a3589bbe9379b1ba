"""One reviewing session's state, independent of any terminal: cursor, playhead, marks, speaker fixes."""
