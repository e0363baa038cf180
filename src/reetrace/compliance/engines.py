"""Engines that can compute the checks' aggregates besides the database.

The database is the default engine and needs nothing. An app built on this one
registers another (`reetrace.lake` registers `spark`, which reads a Parquet copy
of the ledger) from its `AppConfig.ready()`, the way export control plugs its
guard into capture: compliance never imports the apps built on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reetrace.core.errors import ErrorCode, ReetraceError

DATABASE = "database"


@dataclass(frozen=True)
class Engine:
    name: str
    open: Callable[[str], object]  # lake location -> a source (see checks/ledger.py)
    rules: frozenset[str]  # the rules it serves
    needs: str  # what it needs installed, for help texts


ENGINES: dict[str, Engine] = {}


def engine_register(engine: Engine) -> None:
    ENGINES[engine.name] = engine


def engine_names() -> list[str]:
    return [DATABASE, *sorted(ENGINES)]


def engine_source(name: str, lake: str | None):
    """The source for engine `name` (None for the database), or an error naming the field."""
    if name == DATABASE:
        if lake:
            raise ReetraceError(
                ErrorCode.INVALID, "--lake is read by another engine only", field="lake"
            )
        return None
    engine = ENGINES.get(name)
    if engine is None:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"unknown engine {name!r}; known: {', '.join(engine_names())}",
            field="engine",
        )
    if not lake:
        raise ReetraceError(
            ErrorCode.INVALID, f"the {name} engine reads a lake: give --lake PATH", field="lake"
        )
    return engine.open(lake)


def engines_help(all_rules: list[str]) -> str:
    """One sentence per registered engine: which rules it runs and which it does not."""
    parts = []
    for engine in ENGINES.values():
        missing = [r for r in all_rules if r not in engine.rules]
        ported = [r for r in all_rules if r in engine.rules]
        parts.append(
            f"{engine.name} ({engine.needs}) runs {', '.join(ported)}; not ported to "
            f"{engine.name}: {', '.join(missing) or 'none'}"
        )
    return "; ".join(parts)
