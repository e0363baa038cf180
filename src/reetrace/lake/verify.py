"""`lake_verify`: is the lake the ledger as of the chain position its manifest names?

Every file the manifest names must exist with its SHA-256 and row count; the
events table must hold exactly `position` events, the last of which carries the
head hash (so no event was left out or added); and, with the database at hand,
the ledger's own chain must hold that hash at that position (so the lake is a
copy of this ledger and not of another, or of a rewritten one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow.compute as pc
import pyarrow.parquet as pq

from reetrace.lake.manifest import Manifest, manifest_read
from reetrace.lake.storage import Lake

__all__ = ["Verdict", "lake_verify"]

Progress = Callable[[str, int, int], None]


@dataclass
class Verdict:
    manifest: Manifest | None
    files: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.problems


def lake_verify(
    lake: Lake, *, against_database: bool = True, progress: Progress | None = None
) -> Verdict:
    try:
        manifest = manifest_read(lake)
    except (ValueError, KeyError, TypeError) as exc:
        return Verdict(None, problems=[f"manifest.json is not a lake manifest: {exc}"])
    if manifest is None:
        return Verdict(None, problems=[f"no manifest.json at {lake.uri}"])
    verdict = Verdict(manifest)
    parts = [(name, key, part) for name, ps in manifest.tables.items() for key, part in ps.items()]
    for index, (name, key, part) in enumerate(sorted(parts, key=lambda p: p[2].file)):
        if progress:
            progress(name, index, len(parts))
        verdict.problems += _file_problems(lake, name, key, part)
        verdict.files += 1
        verdict.rows += part.rows
    if progress:
        progress("chain", len(parts), len(parts))
    verdict.problems += _chain_problems(lake, manifest)
    if against_database:
        verdict.problems += _database_problems(manifest)
    return verdict


def _file_problems(lake: Lake, name: str, key: str, part) -> list[str]:
    where = f"{name} {key} ({part.file})"
    if not lake.exists(part.file):
        return [f"{where}: the file is missing"]
    if lake.sha256(part.file) != part.sha256:
        return [f"{where}: the content changed (SHA-256 differs from the manifest)"]
    with lake.fs.open_input_file(lake.path(part.file)) as handle:
        rows = pq.ParquetFile(handle).metadata.num_rows
    if rows != part.rows:
        return [f"{where}: {rows} rows, the manifest says {part.rows}"]
    return []


def _chain_problems(lake: Lake, manifest: Manifest) -> list[str]:
    chain = manifest.chain
    events = manifest.tables.get("events", {})
    count = sum(part.rows for part in events.values())
    if count != chain.position:
        return [f"events: {count} rows, the chain position is {chain.position}"]
    if not events:
        return []
    last = None
    for part in events.values():
        with lake.fs.open_input_file(lake.path(part.file)) as handle:
            table = pq.read_table(handle, columns=["id", "chain_hash"])
        if table.num_rows:
            index = pc.index(table["id"], pc.max(table["id"])).as_py()
            row = (table["id"][index].as_py(), table["chain_hash"][index].as_py())
            last = row if last is None or row[0] > last[0] else last
    if last is None or last[0] != chain.last_event_pk or last[1] != chain.head_hash:
        return [
            f"events: the last event {last} does not carry the head hash "
            f"{chain.head_hash[:12]}… of event {chain.last_event_pk}"
        ]
    return []


def _database_problems(manifest: Manifest) -> list[str]:
    from reetrace.ledger.chain import chain_position_hash

    position = manifest.chain.position
    if position == 0:
        return []
    stored = chain_position_hash(position)
    if stored != manifest.chain.head_hash:
        return [
            f"the ledger's chain holds {stored or 'nothing'} at position {position}, "
            f"the lake {manifest.chain.head_hash}: the lake is not a copy of this ledger"
        ]
    return []
