"""Plug points: where an app calls code that an app built on it provides.

Apps never import the apps built on them (`tests/test_layers.py`). When a lower
app must consult a later capability (the ledger asking export control whether an
export is licensed), the lower app declares a `PlugPoint` in the module that
calls it, with the signature it calls, and the later app plugs a named callable
into it from its `AppConfig.ready()`. A reader of the caller sees the point, its
type and, at run time, the names of what is plugged in; `plug` is idempotent by
name, since `ready()` can run more than once in one process (tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["PlugIn", "PlugPoint"]

F = TypeVar("F")


@dataclass(frozen=True)
class PlugIn(Generic[F]):
    """One plugged-in callable and the name it is known by (`app.purpose`)."""

    name: str
    call: F


class PlugPoint(Generic[F]):
    """An ordered set of plug-ins of one signature, called by `caller`."""

    def __init__(self, name: str, *, caller: str) -> None:
        self.name = name
        self.caller = caller
        self._plugins: dict[str, PlugIn[F]] = {}

    def plug(self, name: str, call: F) -> None:
        """Add `call` under `name`; plugging the same name again replaces it."""
        self._plugins[name] = PlugIn(name, call)

    def names(self) -> list[str]:
        return list(self._plugins)

    def __iter__(self) -> Iterator[PlugIn[F]]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def __repr__(self) -> str:
        return f"PlugPoint({self.name!r}, caller={self.caller!r}, plugged={self.names()})"
