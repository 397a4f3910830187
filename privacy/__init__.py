"""Personal data redaction at ingest: Presidio configured by a policy file (``policy.yaml``).

``privacy.policy`` loads and validates the policy, ``privacy.engine`` finds and replaces personal
data in batches of texts, ``privacy.conversations`` applies it to what ingest stores.
"""
