"""Audio: probing, decoding and seeking (PyAV), playback backends, transcription, speakers."""
