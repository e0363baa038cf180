"""The dataset as files: CSV and JSON lines streamed as records arrive.

Nothing here depends on the clock or on hash order, so the same seed writes
the same bytes. Files:
enterprises.csv, quotas.csv, lots.csv, events.jsonl, month_closings.csv,
licences.csv, customs_declarations.csv, partner_imports.csv, ground_truth.json.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from reetrace.synth.partner import COLUMNS as PARTNER_COLUMNS

COLUMNS = {
    "enterprises": [
        "identifier", "country", "name_zh", "name_en", "province", "group", "roles",
        "site_code", "site_kind",
    ],
    "quotas": ["code", "enterprise", "year", "kind", "light_t", "medium_heavy_t", "document"],
    "lots": ["code", "product", "producer", "mass_kg", "event_id", "event_time"],
    "month_closings": ["enterprise", "period", "closed_at", "deadline"],
    "licences": [
        "number", "status", "applicant", "consignee", "end_user", "end_user_id", "country",
        "product", "lot", "kg", "control_codes", "applied_on", "decided_on",
    ],
    "customs_declarations": [
        "declaration", "flow", "enterprise", "country", "product", "kg", "date", "fob_usd",
        "consignee", "arrival_country",
    ],
}  # fmt: skip
TABLE_OF = {
    "enterprise": "enterprises",
    "quota": "quotas",
    "closing": "month_closings",
    "licence": "licences",
    "customs": "customs_declarations",
}


class DatasetWriter:
    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.handles = []
        self.tables = {name: self._csv(name, columns) for name, columns in COLUMNS.items()}
        self.events = self._open("events.jsonl")
        self.groups: list[dict] = []

    def _open(self, name: str):
        handle = open(self.dir / name, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.handles.append(handle)
        return handle

    def _csv(self, name: str, columns: list[str]) -> csv.DictWriter:
        writer = csv.DictWriter(self._open(f"{name}.csv"), columns, lineterminator="\n")
        writer.writeheader()
        return writer

    def write(self, kind: str, record: dict) -> None:
        if kind == "event":
            self.events.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._lots(record)
        elif kind == "enterprise":
            site = (record["sites"] or [{}])[0]
            row = {k: v for k, v in record.items() if k not in ("sites", "roles")}
            row |= {"roles": ";".join(record["roles"]), "site_code": site.get("code", "")}
            self.tables["enterprises"].writerow(row | {"site_kind": site.get("kind", "")})
        elif kind == "group":
            self.groups.append(record)
        elif kind == "licence":
            row = {k: v for k, v in record.items() if k != "composition"}
            self.tables["licences"].writerow(
                row | {"control_codes": ";".join(row["control_codes"])}
            )
        else:
            self.tables[TABLE_OF[kind]].writerow(record)

    def _lots(self, event: dict) -> None:
        made = event.get("outputs") or (
            [event["lot"]] if isinstance(event.get("lot"), dict) else []
        )
        for lot in made:
            self.tables["lots"].writerow(
                {
                    "code": lot["code"],
                    "product": lot["product"],
                    "producer": event["reporter"],
                    "mass_kg": lot["mass"],
                    "event_id": event["event_id"],
                    "event_time": event["event_time"],
                }
            )

    def finish(self, chain) -> None:
        for handle in self.handles:
            handle.close()
        with open(self.dir / "partner_imports.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, PARTNER_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(chain.partner.file_rows())
        truth = {
            "generator": "reetrace synth",
            "scale": chain.cfg.scale_name,
            "seed": chain.seed,
            "months": {
                "first": f"{chain.window.first_day:%Y-%m}",
                "last": f"{chain.window.end_month:%Y-%m}",
            },
            "groups": self.groups,
            "counts": chain.fraud.summary(),
            "cases": chain.fraud.cases,
            "partner_causes": chain.partner.ground_truth(chain.fraud.cases),
        }
        text = json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=False)
        (self.dir / "ground_truth.json").write_text(text + "\n", encoding="utf-8")
