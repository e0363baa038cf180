"""One pass over the chain, feeding the file writer and/or the database loader.

The command, the demo and the tests all go through `produce`, so what is
written to files and what is loaded are the same records in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reetrace.synth.chain import Chain
from reetrace.synth.config import load_config


@dataclass
class Produced:
    chain: Chain
    counts: dict[str, int] = field(default_factory=dict)
    reports: int = 0


def produce(
    *,
    scale: str,
    seed: int,
    year: int = 2025,
    out: Path | None = None,
    load: bool = False,
    overrides: dict | None = None,
    on_event: Callable[[int], None] | None = None,
    batch_size: int = 1000,
) -> Produced:
    """Generate the dataset; write it to `out` and/or load it into the database."""
    chain = Chain(load_config(scale, overrides), seed, year)
    writer = loader = None
    if out is not None:
        from reetrace.synth.files import DatasetWriter

        writer = DatasetWriter(out)
    if load:
        from reetrace.synth.loader import Loader

        loader = Loader(batch_size)
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
    return result
