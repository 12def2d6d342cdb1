"""The ``fb`` object the form templates read, built the same way by the static site and by
the service when it shows the form again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def form_context(url: str, topics: Mapping[str, str], topic_labels: Mapping[str, Any],
                 hours: int, company: str, places: Sequence[str] = ()) -> dict[str, Any]:
    return {"action": f"{url}/feedback", "token_url": f"{url}/feedback/token",
            "topics": list(topics), "topic_labels": topic_labels, "hours": hours,
            "company": company, "places": tuple(places)}
