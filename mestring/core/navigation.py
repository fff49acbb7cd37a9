"""Main navigation: each app registers its entries in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: Any
    url_name: str
    perm: str | None
    order: int


_REGISTRY: dict[str, NavEntry] = {}


def register_nav(label: Any, url_name: str, *, perm: str | None, order: int) -> None:
    _REGISTRY[url_name] = NavEntry(label=label, url_name=url_name, perm=perm, order=order)


def nav_items(request: HttpRequest, membership: Any) -> list[dict[str, Any]]:
    items = []
    for entry in sorted(_REGISTRY.values(), key=lambda e: e.order):
        if entry.perm and not membership.can(entry.perm):
            continue
        url = reverse(entry.url_name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": entry.label, "url": url, "current": current})
    return items
