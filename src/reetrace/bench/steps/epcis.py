"""EPCIS capture beside the own JSON API, on the same events in the same run.

The same mining origins (one miner, its bench quota, 1,000 events a request) are
posted to `/api/v1/events` as reetrace batches and to `/epcis/capture` as EPCIS 2.0
documents (each event an ObjectEvent ADD commissioning with its LGTIN, quota and
composition in the ILMD), by the same concurrent clients, to the same gunicorn. The
two differ only in the lot codes, so neither replays the other. The goal (issue 15):
EPCIS within 1.5 times the own API's cost per event.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.accounts.tokens import token_issue
from reetrace.bench.server import served
from reetrace.bench.steps.http_ingest import BATCH, CODE_BASE, bench_quota
from reetrace.epcis.render import CONTEXT
from reetrace.epcis.scheme import lot_lgtin
from reetrace.ledger.codes import lot_code_from_number
from reetrace.registry.models import Quota

COMPOSITION = {"La": "0.015", "Ce": "0.025", "Pr": "0.0025", "Nd": "0.008"}
API_BASE = 2 * CODE_BASE
EPCIS_BASE = 3 * CODE_BASE


def _moment() -> str:
    return (timezone.now() - timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai")).isoformat()


def api_body(quota: Quota, serials: range, moment: str) -> bytes:
    events = [
        {
            "event_id": f"bench-epcis-api-{serial}",
            "kind": "mine",
            "event_time": moment,
            "quota": quota.code,
            "lot": {
                "code": lot_code_from_number(serial),
                "product": "ORE-BASTNAESITE",
                "mass": "25000",
                "composition": COMPOSITION,
            },
        }
        for serial in serials
    ]
    return json.dumps({"events": events}).encode()


def epcis_body(quota: Quota, serials: range, moment: str) -> bytes:
    offset = moment[-6:]
    events = [
        {
            "type": "ObjectEvent",
            "eventTime": moment,
            "eventTimeZoneOffset": offset,
            "action": "ADD",
            "bizStep": "commissioning",
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": lot_lgtin(lot_code_from_number(serial), "ORE-BASTNAESITE"),
                    "quantity": 25,
                    "uom": "TNE",
                }
            ],
            "ilmd": {"rt:quota": quota.code, "rt:composition": COMPOSITION},
        }
        for serial in serials
    ]
    document = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": moment,
        "epcisBody": {"eventList": events},
    }
    return json.dumps(document).encode()


def _post(url: str, token: str, body: bytes, content_type: str) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        raise RuntimeError(f"{url} refused a request: {refused.read()[:500]!r}") from refused


def _timed(url: str, token: str, bodies: list[bytes], kind: str, clients: int):
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(lambda body: _post(url, token, body, kind), bodies))
    return time.perf_counter() - start, set(statuses)


def epcis_ingest(batches: int, clients: int) -> dict:
    quota = bench_quota()
    user, _ = User.objects.get_or_create(
        username="bench-epcis", defaults={"role": "enterprise", "enterprise": quota.enterprise}
    )
    _, token = token_issue(user=user, name="bench-epcis")
    moment = _moment()
    api = [
        api_body(quota, range(API_BASE + n * BATCH, API_BASE + (n + 1) * BATCH), moment)
        for n in range(batches)
    ]
    epcis = [
        epcis_body(quota, range(EPCIS_BASE + n * BATCH, EPCIS_BASE + (n + 1) * BATCH), moment)
        for n in range(batches)
    ]
    with served() as server:
        api_seconds, api_statuses = _timed(
            f"{server.url}/api/v1/events", token, api, "application/json", clients
        )
        epcis_seconds, epcis_statuses = _timed(
            f"{server.url}/epcis/capture", token, epcis, "application/ld+json", clients
        )
    if api_statuses != {200} or epcis_statuses != {202}:
        raise RuntimeError(f"answers: API {sorted(api_statuses)}, EPCIS {sorted(epcis_statuses)}")
    events = batches * BATCH
    return {
        "events": events,
        "clients": clients,
        "batch": BATCH,
        "api_seconds": round(api_seconds, 3),
        "api_events_per_s": round(events / api_seconds, 1),
        "epcis_seconds": round(epcis_seconds, 3),
        "epcis_events_per_s": round(events / epcis_seconds, 1),
        "cost_ratio": round(epcis_seconds / api_seconds, 2),
        "peer": "not run: QU4RTET's quartet-epcis is not installed here (docs/performance.md)",
    }
