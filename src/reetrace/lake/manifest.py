"""The lake's manifest: what one export covers, and the only file that commits it.

`manifest.json` at the lake's root names, per table and month, the one data file
that holds that month with its row count and SHA-256, and the ledger's chain
position and head hash the files were read at. Readers read the files the
manifest names (never a directory listing), so replacing the manifest replaces
an export's months all at once; `manifests/NNNNNN.json` keeps every export's copy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from reetrace.lake.storage import Lake

FORMAT = "reetrace-lake/1"
MANIFEST = "manifest.json"
WHOLE = "all"  # the partition key of a reference table


@dataclass
class Part:
    """One data file: a table's month (or the whole of a reference table)."""

    file: str
    rows: int
    sha256: str


@dataclass
class Chain:
    position: int  # events in the ledger's hash chain covered by the lake
    head_hash: str  # the chain hash of the last of them
    last_event_pk: int


@dataclass
class Manifest:
    export: int
    exported_at: str
    database: str
    chain: Chain
    tables: dict[str, dict[str, Part]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # months this export wrote

    def to_json(self) -> bytes:
        body = {"format": FORMAT, **asdict(self)}
        return json.dumps(body, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        body = json.loads(raw)
        if body.get("format") != FORMAT:
            raise ValueError(f"not a reetrace lake manifest (format {body.get('format')!r})")
        tables = {
            name: {key: Part(**part) for key, part in parts.items()}
            for name, parts in body["tables"].items()
        }
        return cls(
            export=body["export"],
            exported_at=body["exported_at"],
            database=body["database"],
            chain=Chain(**body["chain"]),
            tables=tables,
            changed=body.get("changed", []),
        )

    def files(self) -> set[str]:
        return {part.file for parts in self.tables.values() for part in parts.values()}

    def months(self) -> list[str]:
        return sorted({key for parts in self.tables.values() for key in parts if key != WHOLE})


def manifest_read(lake: Lake) -> Manifest | None:
    """The lake's current manifest, or None for an empty location."""
    if not lake.exists(MANIFEST):
        return None
    return Manifest.from_json(lake.read_bytes(MANIFEST))


def manifest_write(lake: Lake, manifest: Manifest) -> None:
    """Commit an export: its numbered copy first, then the root manifest in one step."""
    body = manifest.to_json()
    lake.write_bytes(f"manifests/{manifest.export:06d}.json", body)
    lake.write_bytes(MANIFEST, body)
