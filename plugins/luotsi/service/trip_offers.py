"""Which trips can be requested, in which language: the offers the build writes to
``booking/trips.json`` (see :class:`luotsi.forms.booking.TripOffer`)."""

from __future__ import annotations

from typing import Any

from ..forms.booking import TripOffer
from .build_files import BuildFile

Table = dict[tuple[str, str], TripOffer]


def _offers(data: Any) -> Table:
    offers = (TripOffer.from_json(item) for item in data.get("trips", []))
    return {(offer.key, offer.lang): offer for offer in offers}


class Offers(BuildFile[Table]):
    """(trip key, language) → offer, re-read when the build rewrites the file."""

    def __init__(self, path: str):
        super().__init__(path, _offers, {})

    def find(self, key: str, lang: str) -> TripOffer | None:
        return self.get().get((key, lang))

    def keys(self) -> list[str]:
        return sorted({key for key, _ in self.get()})
