"""What a coaching card says, decided from stored facts: the card model and every rule behind it.

``rendering/`` queries the store and formats; this package decides. :func:`compose_cards`
builds one :class:`CardContent` per representative from a period's stored rows:

- ``rows`` — the stored rows read here (protocols; ``rendering.store_queries`` provides them);
- ``aliases`` — name-only agent ids merged into the real one;
- ``standings`` — a rep's mean per agent criterion, the team medians, the overall score;
- ``moments`` — whose moment a turn is, and what a moment quotes and suggests;
- ``focus`` — which criteria are strengths or growth areas, and which moments illustrate them;
- ``system_notes`` — the system's problems on the rep's contacts ("not your fault");
- ``trend`` — the rep's overall score per trend bucket;
- ``compose`` — all of these, once per card.
"""
