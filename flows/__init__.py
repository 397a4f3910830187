"""Prefect orchestration only: flows and tasks wiring ingest, analysis, scoring and publishing."""
