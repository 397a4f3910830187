"""Canonical transcript model, readers for real export formats, quarantine and journeys."""
