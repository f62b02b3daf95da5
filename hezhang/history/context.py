"""Who is acting right now, so model signals can record it without every caller passing it down."""

import contextlib
from contextvars import ContextVar

_actor: ContextVar = ContextVar("hezhang_actor", default=None)
_source: ContextVar = ContextVar("hezhang_source", default="system")
_enabled: ContextVar = ContextVar("hezhang_history_enabled", default=True)


def current_actor():
    return _actor.get()


def current_source() -> str:
    return _source.get()


def recording_enabled() -> bool:
    return _enabled.get()


@contextlib.contextmanager
def acting_as(user, source: str):
    actor_token = _actor.set(user if getattr(user, "is_authenticated", False) else None)
    source_token = _source.set(source)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _source.reset(source_token)


@contextlib.contextmanager
def not_recorded():
    """For generated bulk data (the demo) where a history row per record would be noise."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)
