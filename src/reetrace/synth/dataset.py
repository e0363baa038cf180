"""One pass over the chain, feeding the file writer and/or the database loader.

The command, the demo and the tests all go through `produce`, so what is
written to files and what is loaded are the same records in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from reetrace.synth.chain import Chain
from reetrace.synth.config import load_config
from reetrace.synth.window import REFERENCE_END_MONTH


@dataclass
class Produced:
    chain: Chain
    counts: dict[str, int] = field(default_factory=dict)
    reports: int = 0
    pending: int = 0  # closings after `now`, not loaded


def produce(
    *,
    scale: str,
    seed: int,
    end_month: date = REFERENCE_END_MONTH,
    out: Path | None = None,
    load: bool = False,
    now: datetime | None = None,
    overrides: dict | None = None,
    on_event: Callable[[int], None] | None = None,
    batch_size: int = 1000,
) -> Produced:
    """Generate the twelve months ending with `end_month`; write them to `out` and/or
    load them into the database as they stand at `now` (default: the clock)."""
    chain = Chain(load_config(scale, overrides), seed, end_month)
    writer = loader = None
    if out is not None:
        from reetrace.synth.files import DatasetWriter

        writer = DatasetWriter(out)
    if load:
        from reetrace.synth.loader import Loader

        loader = Loader(batch_size, end_month=end_month, now=now)
    result = Produced(chain)
    counts = result.counts
    for kind, record in chain.records():
        counts[kind] = counts.get(kind, 0) + 1
        if writer:
            writer.write(kind, record)
        if loader:
            loader.add(kind, record)
        if on_event and kind == "event" and counts[kind] % 500 == 0:
            on_event(500)
    if writer:
        writer.finish(chain)
    if loader:
        result.reports = loader.finish()
        result.pending = loader.closings_pending
    return result
