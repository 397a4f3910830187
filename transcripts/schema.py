"""JSON Schema of the canonical model, generated from the pydantic classes.

``python -m transcripts.schema`` (or ``make schema``) writes ``schema/conversation.v1.json``;
a test fails when the file and the model drift apart. The schema describes a
``Conversation`` at the top level and carries ``Journey`` under ``$defs``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from transcripts.model import SCHEMA_VERSION, Conversation, Journey

SCHEMA_ID = "https://qareview.dev/schema/conversation.v1.json"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "conversation.v1.json"


def conversation_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``Conversation``, with ``Journey`` in ``$defs``."""
    _, defs = models_json_schema(
        [(Conversation, "validation"), (Journey, "validation")], ref_template="#/$defs/{model}"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "qareview canonical conversation",
        "description": (
            "One customer contact (call or chat) as every qareview reader produces it: legs, "
            "turns and events. Journey groups contacts of one customer."
        ),
        "version": SCHEMA_VERSION,
        "$ref": "#/$defs/Conversation",
        "$defs": defs["$defs"],
    }


def render_schema() -> str:
    """The schema file's exact text (sorted keys, two-space indent, trailing newline)."""
    return json.dumps(conversation_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write the schema to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_schema(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the schema (optionally to the path given as the only argument)."""
    args = sys.argv[1:] if argv is None else argv
    written = write_schema(Path(args[0]) if args else SCHEMA_PATH)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
