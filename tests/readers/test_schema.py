from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.readers.test_canonical_json import full_conversation
from transcripts.model import SCHEMA_VERSION, Journey
from transcripts.schema import SCHEMA_ID, SCHEMA_PATH, conversation_schema, main, render_schema


def test_committed_schema_matches_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), "run `python -m transcripts.schema`"


def test_schema_has_id_version_and_both_models() -> None:
    schema = conversation_schema()
    assert schema["$id"] == SCHEMA_ID and schema["version"] == SCHEMA_VERSION
    assert schema["$ref"] == "#/$defs/Conversation"
    assert {"Conversation", "Journey", "Turn", "Leg", "Event"} <= set(schema["$defs"])


def test_dumped_conversation_validates_and_bad_one_does_not() -> None:
    schema = conversation_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = full_conversation().model_dump(mode="json")
    jsonschema.validate(data, schema)
    data["turns"][0]["role"] = "robot"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_journey_validates_against_its_definition() -> None:
    schema = conversation_schema()
    journey = Journey(
        id="j1",
        customer_id="c",
        conversation_ids=["a"],
        started_at="2026-11-17T09:00:00Z",
        ended_at="2026-11-17T10:00:00Z",
        contacts=1,
    )
    jsonschema.validate(journey.model_dump(mode="json"), {**schema, "$ref": "#/$defs/Journey"})


def test_main_writes_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "schema.json"
    assert main([str(target)]) == 0
    assert json.loads(target.read_text())["$id"] == SCHEMA_ID
