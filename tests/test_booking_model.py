"""The pure parts of booking requests: the calendar file's lines, the charts' markup, the
report's figures, the states a request may move through, and a trip's facts as the build
writes them for the service."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import icalendar
import pytest
from luotsi.forms.booking import TripOffer
from luotsi.service import bookings, calendar, charts, reports
from luotsi.trips.model import parse_trip


def test_calendar_lines_are_crlf_folded_at_75_octets_without_cutting_a_character():
    title = "Revontulikuvausviikko, Rovaniemi; " + "ä" * 60 + " ロヴァニエミでオーロラ撮影" * 3
    text = calendar.calendar("RT-2026-00042@revontuli.example", title, dt.date(2026, 12, 7),
                             dt.date(2026, 12, 11), "https://www.revontuli.example/trips/a/",
                             "Viite: RT-2026-00042\nAikuiset: 2", dt.datetime(2026, 11, 1,
                                                                            tzinfo=dt.UTC))
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in "".join(lines)
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long summary was folded
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title  # unfolded and unescaped as it was
    assert str(event["DESCRIPTION"]) == "Viite: RT-2026-00042\nAikuiset: 2"
    assert event.decoded("DTSTART") == dt.date(2026, 12, 7)
    assert event.decoded("DTEND") == dt.date(2026, 12, 12)
    assert "DTSTART;VALUE=DATE:20261207" in lines


def test_a_chart_is_escaped_svg_with_a_bar_per_value():
    svg = charts.bar_chart("c1", "Requests <b>per</b> day", ["11-22", "<script>", "11-24"],
                           [charts.Series("requests", [1, None, 3]),
                            charts.Series("scans", [0, 2, 7])], "count")
    tree = ET.fromstring(str(svg))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert tree.get("role") == "img" and tree.get("aria-labelledby") == "c1-title c1-desc"
    assert tree.find("svg:title", ns).text == "Requests <b>per</b> day"
    bars = [r for r in tree.findall("svg:rect", ns) if r.find("svg:title", ns) is not None]
    assert len(bars) == 5  # the missing value draws nothing
    heights = {r.find("svg:title", ns).text: float(r.get("height")) for r in bars}
    assert heights["11-24: scans 7"] > heights["11-24: requests 3"] > 0
    assert "<script>" not in str(svg)
    assert [charts.nice_top(v) for v in (0, 0.4, 3, 7, 12, 480)] == [1, 0.5, 5, 10, 20, 500]


def test_response_times_per_trip_and_month_and_conversion_per_campaign():
    day = dt.datetime(2026, 11, 2, tzinfo=dt.UTC).timestamp()
    rows = [("aurora", day, day + 3600, day + 7200), ("aurora", day, day + 7200, None),
            ("husky", day, None, None)]
    times = {(r.trip, r.month): r for r in reports.booking_times(rows)}
    assert times["all", "2026-11"] == reports.BookingRow("all", "2026-11", 3, 2, 1.0, 2.0, 1,
                                                        2.0, 2.0)
    assert times["husky", "2026-11"].answer_median is None
    targets = {"abc": "https://x.example/trips/a/?utm_campaign=poster-a#ask",
               "def": "https://x.example/?utm_source=print", "ghi":
               "https://x.example/trips/b/?utm_campaign=poster-b#ask"}
    found = reports.campaigns([("abc", day)] * 4 + [("def", day)],
                              targets, [("a", "poster-a", day), ("a", "", day)])
    assert [(c.campaign, c.scans, c.requests, c.conversion) for c in found] == [
        ("poster-a", 4, 1, 0.25), ("poster-b", 0, 0, None)]
    assert reports.requests_per_trip([("a", "", day), ("b", "", day), ("a", "", day)]) == [
        ("a", 2), ("b", 1)]


def test_a_request_moves_forward_and_ends_declined_or_cancelled():
    assert bookings.can_move("received", "seen") and bookings.can_move("seen", "offered")
    assert bookings.can_move("offered", "confirmed")
    assert bookings.can_move("confirmed", "cancelled")  # plans change; the staff decide
    assert not bookings.can_move("confirmed", "declined")
    assert not bookings.can_move("offered", "received")
    assert not any(bookings.can_move(final, new) for final in ("declined", "cancelled")
                   for new in bookings.STATUSES)
    assert set(bookings.STATUS_LABELS) == set(bookings.STATUSES) == set(bookings.MOVES)


@pytest.mark.parametrize(("url", "campaign"), [
    ("https://x.example/trips/a/?utm_source=print&utm_campaign=poster-a#ask", "poster-a"),
    ("https://x.example/trips/a/", ""),
    ("https://x.example/trips/a/?utm_campaign=%3Cscript%3E", ""),  # not a campaign name
])
def test_the_campaign_of_a_page(url, campaign):
    assert bookings.campaign_of(url) == campaign


def test_a_trips_facts_travel_from_the_build_to_the_service_unchanged():
    trip, problems = parse_trip({"price": "89,50", "duration": "P2W", "availability": "SoldOut",
                                 "valid-from": "2027-01-01", "valid-through": "2027-03-01",
                                 "departures": "2027-02-01; 2027-01-04",
                                 "group-size": "4"}, "EUR")
    assert problems == []
    offer = trip.offer("hike", "fi", "Vaellus", "https://x.example/trips/vaellus/")
    assert offer.departures == (dt.date(2027, 1, 4), dt.date(2027, 2, 1))
    assert offer.days == 14 and offer.end(dt.date(2027, 1, 4)) == dt.date(2027, 1, 17)
    assert offer.waitlist and offer.bookable and offer.max_persons == 4
    assert offer.estimate(3) == Decimal("268.50")
    assert TripOffer.from_json(offer.to_json()) == offer
    with pytest.raises(ValueError):
        TripOffer.from_json({**offer.to_json(), "key": "../x?y"})
