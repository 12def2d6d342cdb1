"""The ``fb`` object the form templates read, built the same way by the static site and by
the service when it shows the form again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .fields import TOPIC_LABELS


def form_context(url: str, topics: Mapping[str, str], topic_labels: Mapping[str, Any],
                 hours: int, company: str, places: Sequence[str] = ()) -> dict[str, Any]:
    """``url`` is the service's URL as the site links it; ``topic_labels`` the site's own
    labels (topic → language → label), which win over the theme's translated ones."""
    return {"action": f"{url}/feedback", "token_url": f"{url}/feedback/token",
            "booking_action": f"{url}/booking",
            "topics": list(topics), "topic_labels": topic_labels,
            "known_labels": {key: TOPIC_LABELS[key] for key in topics if key in TOPIC_LABELS},
            "hours": hours, "company": company, "places": tuple(places)}
