"""DuckDB store for conversations, analysis, scores, quarantine and runs."""
