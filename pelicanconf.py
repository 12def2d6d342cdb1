"""Demo site: Revontuli Travel Oy, a fictional Lapland tour company, every feature on."""

import os

import luotsi

AUTHOR = "Revontuli Travel"
SITENAME = "Revontuli Travel"
SITESUBTITLE = "Pienryhmämatkoja Lapin luontoon Rovaniemeltä"
SITEURL = "http://127.0.0.1:8000"
RELATIVE_URLS = False

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
TIMEZONE = "Europe/Helsinki"
DEFAULT_LANG = "fi"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"

# The demo's own look (brand colours and fonts) layered over Luotsi's theme: a stylesheet of
# brand variables and one overridden template block, in theme/ beside this file.
HERE = os.path.dirname(os.path.abspath(__file__))
THEME = luotsi.THEME
THEME_STATIC_PATHS = ["static", os.path.join(HERE, "theme", "static")]
THEME_TEMPLATES_OVERRIDES = [os.path.join(HERE, "theme", "templates")]
PLUGINS = ["luotsi"]

SLUGIFY_USE_UNICODE = True  # Japanese titles keep their own slugs
ARTICLE_URL = "blog/{slug}/"
ARTICLE_SAVE_AS = "blog/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/blog/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/blog/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DRAFT_LANG_URL = "drafts/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = "drafts/{lang}/{slug}/index.html"
SUMMARY_MAX_LENGTH = 40

LUOTSI_LANGUAGES = ["fi", "en", "sv", "de", "ja"]
LUOTSI_MISSING_TRANSLATION = "fallback"
LUOTSI_STRICT = False
LUOTSI_PAGINATION = 6
LUOTSI_SUBTITLES = {
    "en": "Small-group trips into Lapland's nature from Rovaniemi",
    "sv": "Resor i små grupper ut i Lapplands natur från Rovaniemi",
    "de": "Reisen in kleinen Gruppen in die Natur Lapplands ab Rovaniemi",
    "ja": "ロヴァニエミ発、少人数で楽しむラップランドの自然旅",
}
LUOTSI_COMPANY = {
    "name": "Revontuli Travel",
    "legal_name": "Revontuli Travel Oy",
    "street_address": "Koskikatu 27 B",
    "postal_code": "96100",
    "locality": "Rovaniemi",
    "region": "Lappi",
    "country": "FI",
    "telephone": "+358 40 555 0142",
    "email": "hello@revontuli.example",
    "latitude": 66.5021,
    "longitude": 25.7294,
    "opening_hours": ["Mo-Fr 09:00-17:00", "Sa 10:00-14:00"],
    "logo": "images/logo.png",
}
LUOTSI_FEEDBACK = {
    "url": "http://127.0.0.1:8001",  # `make serve` runs the service here beside the site
    "topics": {
        "general": "hello@revontuli.example",
        "booking": "bookings@revontuli.example",
        "website": "web@revontuli.example",
    },
    "answer_within_hours": 24,
    "places": ["contact", "posts", "helpful"],
}
LUOTSI_HERO = {
    "image": "images/pictures/hero-aurora.jpg",
    "alt": {
        "fi": "Revontulet lumisten tuntureiden ja kuusimetsän yllä Rovaniemen lähellä",
        "en": "Northern lights over snowy fells and spruce forest near Rovaniemi",
        "sv": "Norrsken över snöiga fjäll och granskog nära Rovaniemi",
        "de": "Nordlicht über verschneiten Fjells und Fichtenwald bei Rovaniemi",
        "ja": "ロヴァニエミ近郊、雪の丘とトウヒの森の上に輝くオーロラ",
    },
}
LUOTSI_SAME_AS = [
    "https://www.instagram.com/revontulitravel.example",
    "https://www.facebook.com/revontulitravel.example",
]

# Pelican writes the listings itself per language; its own feeds are off.
FEED_DOMAIN = SITEURL
DEFAULT_PAGINATION = 6
