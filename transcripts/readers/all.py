"""Import every reader module so that each registers itself; import this before ``readers()``."""

from transcripts.readers import (  # noqa: F401  (imported for their registration side effect)
    canonical_json,
    ccai_insights,
    connect_ctr,
    contact_lens,
    csv_turns,
    plain_text,
    transcribe_call_analytics,
    webvtt,
)
from transcripts.readers.base import readers

__all__ = ["readers"]
