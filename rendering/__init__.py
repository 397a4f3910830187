"""Coaching cards and routing-failure reports: queries, Jinja2 templates, HTML/Markdown/JSON."""
