"""qareview: the thin command-line front end over transcripts, nlp, storage, rendering and flows."""

__version__ = "0.1.0"
