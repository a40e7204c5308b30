"""Which route template served a request (`/v2/customers/{uuid}`), for metric labels and access logs.

Labels must never be the raw path: every uuid would become its own time series. The router records the
route it matched in `scope["route"]`; when it is missing (a 404, or a `//v2/...` request whose routing
scope was a copy) the app's routes are matched once more, which only costs anything on those requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

UNMATCHED = "unmatched"
_CONVERTOR = re.compile(r":[a-z]+}")


def template_of(route: BaseRoute) -> str:
    """The label of one route: its path with `{param}` placeholders (convertors dropped)."""
    if isinstance(route, Mount):
        return _CONVERTOR.sub("}", route.path) + "/{path}"
    if isinstance(route, Route):
        return _CONVERTOR.sub("}", route.path)
    return UNMATCHED


class RouteTemplates:
    """Route -> label, computed once per route; lookups are one dict access by the route's identity."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._routes = list(routes)
        # Keyed by id(): Starlette routes define __eq__ and are unhashable. The route itself is kept in the
        # value so the id can never be reused by another object while this table lives.
        self._labels: dict[int, tuple[BaseRoute, str]] = {
            id(route): (route, template_of(route)) for route in self._routes
        }

    def label(self, scope: Scope) -> str:
        """The template of the route that served `scope`, or "unmatched"."""
        route = scope.get("route")
        if route is None:
            route = self._match(scope)
            if route is None:
                return UNMATCHED
        known = self._labels.get(id(route))
        if known is not None:
            return known[1]
        label = template_of(route)
        self._labels[id(route)] = (route, label)
        return label

    def _match(self, scope: Scope) -> BaseRoute | None:
        path = scope.get("path", "")
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        probe = {**scope, "path": path}
        partial = None
        for route in self._routes:
            match, _child = route.matches(probe)
            if match is Match.FULL:
                return route
            if match is Match.PARTIAL and partial is None:
                partial = route
        return partial
