"""Demo data: a realistic fictional county (清漳县) or, for benchmarks, a whole province around it.

    build_county(seed)    the county with geometry, chiefs at all five levels, plans, signboards, …
    build_province(seed)  the county plus 10 more cities, ~170 counties, ~2 000 townships, ~50 000 villages

Both are deterministic for a seed and idempotent (a second call only reports). The geometry generators
(`land`, `rivers`, `world`) are pure and import no Django; the builders are imported lazily here so that
those stay usable without settings.
"""

from __future__ import annotations

from collections.abc import Callable

DEMO_PASSWORD = "hezhang-demo"
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"


def build_county(seed: int = 7, log: Callable[[str], None] | None = None) -> dict:
    """Build the demo county unless it is there; return {"accounts": [...], "counts": {...}}."""
    from hezhang.registry.demo.county import build_county as build

    return build(seed, log)


def build_province(seed: int = 7, log: Callable[[str], None] | None = None) -> dict:
    """Build the county and the rest of a Hebei-sized province unless they are there; same return value."""
    from hezhang.registry.demo.province import build_province as build

    return build(seed, log)


__all__ = ["DEMO_PASSWORD", "LOGIN_URL", "build_county", "build_province"]
