"""The schema.org ``@graph`` of one page, as plain dicts.

Nodes refer to each other by ``@id`` (an absolute URL plus a fragment) so that search engines
can tell that the company on a post is the company on the contact page. Ids that name the
company and the site are the same on every page in every language; a person's id is that of
their page in the default language, so a post in Japanese and a profile in Finnish name the
same person. Nodes on other pages (the other language versions of a post) are embedded with
their type and URL rather than referenced, so every bare ``{"@id": …}`` resolves in the graph.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Node = dict[str, Any]

# Page kinds and the WebPage subtype each one is.
PAGE_TYPES = {
    "home": "CollectionPage", "listing": "CollectionPage", "directory": "CollectionPage",
    "trips": "CollectionPage", "article": "WebPage", "page": "WebPage",
    "contact": "ContactPage", "faq": "FAQPage", "about": "AboutPage",
    "person": "ProfilePage", "trip": "WebPage", "report": "WebPage",
    "testimonials": "CollectionPage", "thanks": "WebPage",
}


@dataclass
class PersonFacts:
    url: str  # absolute URL of the page in this language
    id_url: str  # absolute URL of the page in the default language: the stable @id
    name: str
    job_title: str = ""
    image: str = ""
    email: str = ""
    telephone: str = ""
    knows_language: Sequence[str] = ()
    same_as: Sequence[str] = ()


@dataclass
class TripFacts:
    price: float | int
    currency: str
    availability: str
    itinerary: Sequence[str] = ()
    valid_from: str = ""
    valid_through: str = ""
    duration: str = ""
    # When the trip can be taken: the season, or (start, end) of each fixed departure
    available: tuple[str, str] | None = None
    departures: Sequence[tuple[str, str]] = ()


@dataclass
class PageFacts:
    """What the graph builder needs to know about one page; all URLs absolute."""

    siteurl: str
    url: str
    lang: str
    languages: Sequence[str]
    kind: str
    title: str
    description: str
    breadcrumbs: Sequence[tuple[str, str]]  # (name, absolute URL), home first, self last
    image: str = ""
    published: dt.datetime | None = None
    modified: dt.datetime | None = None
    author: PersonFacts | None = None
    person: PersonFacts | None = None
    trip: TripFacts | None = None
    original: tuple[str, str] | None = None  # (url, lang) of the work this translates
    translations: Sequence[tuple[str, str]] = ()  # (url, lang) of this work's translations
    faq: Sequence[tuple[str, str]] = ()  # (question, answer text)
    main_type: str = "BlogPosting"


@dataclass
class CompanyFacts:
    company: Mapping[str, Any]
    same_as: Sequence[str] = ()
    logo_url: str = ""


def ref(node_id: str) -> Node:
    return {"@id": node_id}


def organization_id(siteurl: str) -> str:
    return f"{siteurl}/#organization"


def website_id(siteurl: str) -> str:
    return f"{siteurl}/#website"


def person_id(person: PersonFacts) -> str:
    return f"{person.id_url}#person"


def iso(value: dt.datetime | dt.date) -> str:
    """ISO 8601 with the time zone, as Google asks; naive values are refused upstream."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def organization(facts: CompanyFacts, siteurl: str, languages: Sequence[str]) -> Node:
    c = facts.company
    node: Node = {
        "@type": "TravelAgency",
        "@id": organization_id(siteurl),
        "name": c["name"],
        "url": f"{siteurl}/",
        "telephone": c["telephone"],
        "email": c["email"],
        "address": {
            "@type": "PostalAddress",
            "streetAddress": c["street_address"],
            "postalCode": c["postal_code"],
            "addressLocality": c["locality"],
            "addressCountry": c["country"],
        },
        "knowsLanguage": list(languages),
    }
    if c.get("legal_name"):
        node["legalName"] = c["legal_name"]
    if c.get("region"):
        node["address"]["addressRegion"] = c["region"]
    if facts.logo_url:
        node["logo"] = {"@type": "ImageObject", "url": facts.logo_url}
        node["image"] = facts.logo_url
    if c.get("latitude") is not None and c.get("longitude") is not None:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": c["latitude"],
                       "longitude": c["longitude"]}
    if c.get("opening_hours"):
        node["openingHours"] = list(c["opening_hours"])
    if facts.same_as:
        node["sameAs"] = list(facts.same_as)
    return node


def website(siteurl: str, name: str, languages: Sequence[str]) -> Node:
    return {"@type": "WebSite", "@id": website_id(siteurl), "url": f"{siteurl}/",
            "name": name, "inLanguage": list(languages),
            "publisher": ref(organization_id(siteurl))}


def breadcrumb_list(page: PageFacts) -> Node:
    return {
        "@type": "BreadcrumbList",
        "@id": f"{page.url}#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(page.breadcrumbs, start=1)
        ],
    }


def person_node(person: PersonFacts, siteurl: str, full: bool) -> Node:
    node: Node = {"@type": "Person", "@id": person_id(person), "name": person.name,
                  "url": person.url, "worksFor": ref(organization_id(siteurl))}
    if person.job_title:
        node["jobTitle"] = person.job_title
    if person.image:
        node["image"] = person.image
    if full:
        if person.email:
            node["email"] = person.email
        if person.telephone:
            node["telephone"] = person.telephone
        if person.knows_language:
            node["knowsLanguage"] = list(person.knows_language)
        if person.same_as:
            node["sameAs"] = list(person.same_as)
    return node


def _work(url: str, lang: str, main_type: str) -> Node:
    return {"@type": main_type, "@id": f"{url}#article", "url": url, "inLanguage": lang}


def blog_posting(page: PageFacts) -> Node:
    node: Node = {
        "@type": page.main_type,
        "@id": f"{page.url}#article",
        "headline": page.title,
        "description": page.description,
        "url": page.url,
        "inLanguage": page.lang,
        "mainEntityOfPage": ref(f"{page.url}#webpage"),
        "isPartOf": ref(website_id(page.siteurl)),
        "publisher": ref(organization_id(page.siteurl)),
    }
    if page.image:
        node["image"] = [page.image]
    if page.published:
        node["datePublished"] = iso(page.published)
        node["dateModified"] = iso(page.modified or page.published)
    node["author"] = (ref(person_id(page.author)) if page.author
                      else ref(organization_id(page.siteurl)))
    if page.original:
        node["translationOfWork"] = _work(*page.original, page.main_type)
    if page.translations:
        node["workTranslation"] = [_work(url, lang, page.main_type)
                                   for url, lang in page.translations]
    return node


def offers(page: PageFacts) -> Node | list[Node]:
    """The trip's offer, available through its season; with fixed departures, one offer per
    departure, available from its start to its end (schema.org's availabilityStarts and
    availabilityEnds: when the service offered can be had)."""
    trip = page.trip
    assert trip is not None
    offer: Node = {"@type": "Offer", "price": trip.price, "priceCurrency": trip.currency,
                   "availability": f"https://schema.org/{trip.availability}", "url": page.url}
    if trip.valid_from:
        offer["validFrom"] = trip.valid_from
    if trip.valid_through:
        offer["validThrough"] = trip.valid_through
    if trip.departures:
        return [{**offer, "availabilityStarts": start, "availabilityEnds": end}
                for start, end in trip.departures]
    if trip.available:
        offer["availabilityStarts"], offer["availabilityEnds"] = trip.available
    return offer


def tourist_trip(page: PageFacts) -> Node:
    node: Node = {"@type": "TouristTrip", "@id": f"{page.url}#trip", "name": page.title,
                  "description": page.description, "url": page.url, "inLanguage": page.lang,
                  "provider": ref(organization_id(page.siteurl)), "offers": offers(page)}
    trip = page.trip
    assert trip is not None
    if page.image:
        node["image"] = page.image
    if trip.itinerary:
        node["itinerary"] = {
            "@type": "ItemList", "numberOfItems": len(trip.itinerary),
            "itemListElement": [
                {"@type": "ListItem", "position": n, "item": {"@type": "Place", "name": stop}}
                for n, stop in enumerate(trip.itinerary, start=1)
            ],
        }
    return node


def web_page(page: PageFacts) -> Node:
    node: Node = {
        "@type": PAGE_TYPES.get(page.kind, "WebPage"),
        "@id": f"{page.url}#webpage",
        "url": page.url,
        "name": page.title,
        "description": page.description,
        "inLanguage": page.lang,
        "isPartOf": ref(website_id(page.siteurl)),
        "breadcrumb": ref(f"{page.url}#breadcrumb"),
    }
    if page.image:
        node["primaryImageOfPage"] = {"@type": "ImageObject", "url": page.image}
    if page.kind == "person" and page.person:
        node["mainEntity"] = ref(person_id(page.person))
    elif page.kind == "article":
        node["mainEntity"] = ref(f"{page.url}#article")
    elif page.kind == "trip" and page.trip:
        node["mainEntity"] = ref(f"{page.url}#trip")
    elif page.kind == "faq" and page.faq:
        node["mainEntity"] = [
            {"@type": "Question", "name": q,
             "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in page.faq
        ]
    elif page.kind in ("contact", "about"):
        node["about"] = ref(organization_id(page.siteurl))
    if page.published:
        node["datePublished"] = iso(page.published)
        node["dateModified"] = iso(page.modified or page.published)
    return node


def page_graph(page: PageFacts, company: CompanyFacts, site_name: str,
               site_nodes: tuple[Node, Node] | None = None) -> Node:
    """The whole JSON-LD document of one page. ``site_nodes`` (the company and the website,
    the same on every page) may be built once by the caller and shared."""
    nodes = [*(site_nodes or (organization(company, page.siteurl, page.languages),
                              website(page.siteurl, site_name, page.languages))),
             web_page(page), breadcrumb_list(page)]
    if page.kind == "article":
        nodes.append(blog_posting(page))
        if page.author:
            nodes.append(person_node(page.author, page.siteurl, full=False))
    elif page.kind == "person" and page.person:
        nodes.append(person_node(page.person, page.siteurl, full=True))
    elif page.kind == "trip" and page.trip:
        nodes.append(tourist_trip(page))
    return {"@context": "https://schema.org", "@graph": nodes}
