"""The two parts of ``--base-url``: the site's absolute address and its path. Apart from the
pages' metadata (``site_meta``) so that the command line checks the option without importing the
pages' machinery (a build that finds nothing changed imports nothing more)."""

from __future__ import annotations

from urllib.parse import urlsplit


def public_base(base_url: str) -> tuple[str, str]:
    """(absolute base URL or "", base path or "") of ``--base-url``: an absolute http(s) URL
    gives both, a path from the site root (``/nianbao/``) the path only; anything else (no
    scheme and no leading ``/``, another scheme, a query) raises ``ValueError``."""
    if not base_url:
        return "", ""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/") + "/"
    if parts.query or parts.fragment:
        pass
    elif parts.scheme in ("http", "https") and parts.netloc:
        return base_url.rstrip("/"), path
    elif not parts.scheme and not parts.netloc and base_url.startswith("/"):
        return "", path
    raise ValueError(f"{base_url!r} is neither an absolute http(s) URL, which the sitemap and the "
                     "feed need (https://example.org/nianbao/), nor a path from the site root "
                     "(/nianbao/)")
