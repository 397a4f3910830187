"""Scorers: one module per scorer, each a small registered unit (``empathy.v1``, ``transfers.v1``...).

``nlp.scorers.registry.default_registry()`` lists them explicitly; ``nlp.scoring`` runs a
rubric's criteria through them.
"""
