"""Analysis only: spaCy parsing, encoder embeddings, sentiment, scorers. No orchestration here."""
