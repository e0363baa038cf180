"""API ingest: batches of 1000 events posted over HTTP on loopback by concurrent clients.

The bench starts gunicorn (two workers, as on a two-core machine) against the
bench database and posts mining origins for one miner under its quota, each
client its own event ids, so no client waits on another's lots.
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

from reetrace.accounts.tokens import token_issue
from reetrace.bench.measure import peak_rss_mb
from reetrace.bench.server import served
from reetrace.ledger.codes import lot_code_from_number
from reetrace.registry.models import Quota
from reetrace.synth.loader import loader_user

BATCH = 1000
CODE_BASE = 10**15


def bench_quota() -> Quota:
    """A current-year quota for the first miner: the loaded year's months are closed."""
    year = timezone.now().year
    miner = Quota.objects.filter(kind="mining").select_related("enterprise").first().enterprise
    quota, _ = Quota.objects.get_or_create(
        code=f"BENCH-{year}",
        defaults={
            "enterprise": miner,
            "year": year,
            "kind": "mining",
            "light_t": 1_000_000,
            "medium_heavy_t": 0,
            "document": "reetrace bench",
        },
    )
    return quota


def mine_batch(quota: Quota, client: int, number: int, *, size: int) -> bytes:
    """A batch of `size` new ore lots mined under the bench quota, ids unique per client
    and batch number, so that no two clients ever spend or resend the same lot."""
    moment = (timezone.now() - timedelta(hours=1)).astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    events = []
    for n in range(size):
        serial = CODE_BASE + (client * 100_000 + number) * BATCH + n
        events.append(
            {
                "event_id": f"bench-api-{serial}",
                "kind": "mine",
                "event_time": moment,
                "reporter": quota.enterprise.identifier,
                "quota": quota.code,
                "lot": {
                    "code": lot_code_from_number(serial),
                    "product": "ORE-BASTNAESITE",
                    "mass": "25000",
                    "composition": {"La": "0.015", "Ce": "0.025", "Pr": "0.0025", "Nd": "0.008"},
                },
            }
        )
    return json.dumps({"events": events}).encode()


def _post(url: str, token: str, body: bytes) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        raise RuntimeError(f"API ingest refused a batch: {refused.read()[:500]!r}") from refused


def api_ingest(batches: int, clients: int) -> dict:
    quota = bench_quota()
    _, token = token_issue(user=loader_user(), name="bench")
    bodies = [mine_batch(quota, n % clients, n, size=BATCH) for n in range(batches)]
    with served() as server:
        url = f"{server.url}/api/v1/events"
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(lambda body: _post(url, token, body), bodies))
        seconds = time.perf_counter() - start
        server_rss = server.worker_peak_rss_mb()
    if set(statuses) != {200}:
        raise RuntimeError(f"API ingest answered {sorted(set(statuses))}")
    events = batches * BATCH
    return {
        "events": events,
        "clients": clients,
        "batch": BATCH,
        "seconds": round(seconds, 3),
        "events_per_s": round(events / seconds, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "server_worker_peak_rss_mb": server_rss,
    }
