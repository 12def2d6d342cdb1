"""Share links: plain links to each network's own share page.

No third-party script, pixel or cookie: the visitor's browser talks to the network only if
they click. Where the browser has the Web Share API, a small script offers it as well.
"""

from __future__ import annotations

from urllib.parse import quote

# network → (label, URL template); {url}, {title} and {text} are percent-encoded
NETWORKS: dict[str, tuple[str, str]] = {
    "facebook": ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    "x": ("X", "https://x.com/intent/post?url={url}&text={title}"),
    "bluesky": ("Bluesky", "https://bsky.app/intent/compose?text={text}"),
    "whatsapp": ("WhatsApp", "https://wa.me/?text={text}"),
    "telegram": ("Telegram", "https://t.me/share/url?url={url}&text={title}"),
    "email": ("E-mail", "mailto:?subject={title}&body={url}"),
}


def share_links(url: str, title: str, networks: list[str] | tuple[str, ...]
                ) -> list[tuple[str, str, str]]:
    """(network, label, href) for each configured network, in the configured order."""
    values = {"url": quote(url, safe=""), "title": quote(title, safe=""),
              "text": quote(f"{title} {url}", safe="")}
    return [(key, NETWORKS[key][0], NETWORKS[key][1].format(**values)) for key in networks]
