"""Load over HTTP: an enterprise's reads and a reporter's writes from concurrent clients.

At each concurrency level, every client loops for a fixed time over the requests a
connected enterprise system makes: who am I (`/me`), our stock, a lot's upstream
genealogy, and every tenth request a 100-event batch of new ore lots. The baseline,
in the same run and at the same concurrency, is `/health`: what the server answers
with no work. Every request that is not the expected 200 counts as an error. The server
runs gunicorn's recommended number of sync workers for the machine (2 x cores + 1), so a
client waiting on the database does not hold a core idle.
"""

from __future__ import annotations

import os
import random
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole
from reetrace.accounts.tokens import token_issue
from reetrace.bench.measure import percentile
from reetrace.bench.server import served
from reetrace.bench.steps.http_ingest import bench_quota, mine_batch
from reetrace.ledger.choices import Bucket
from reetrace.ledger.models import Lot, Posting
from reetrace.registry.choices import EnterpriseRole
from reetrace.registry.models import Enterprise
from reetrace.synth.loader import loader_user

LEVELS = (1, 4, 16)
WRITE_EVERY = 10
WRITE_BATCH = 100
READS = ("me", "stock", "genealogy")
TRACED_LOTS = 200
# Client numbers of this step's batches: apart from the API ingest step's, so their
# event ids and lot codes never meet.
CLIENT_BASE = 50_000


@dataclass
class Workload:
    """What the clients ask for: the reader's token and lots, the writer's token and quota."""

    reader_token: str
    enterprise: str
    lots: list[str]
    writer_token: str
    quota: object
    batches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_batch(self, client: int) -> bytes:
        with self.lock:
            self.batches += 1
            number = self.batches
        return mine_batch(self.quota, CLIENT_BASE + client, number, size=WRITE_BATCH)


def http_load(duration: float, levels: tuple[int, ...] = LEVELS, seed: int = 1) -> dict:
    workload = _workload(seed)
    workers = 2 * (os.cpu_count() or 1) + 1
    results: dict = {
        "server_workers": workers,
        "duration_s": duration,
        "write_batch": WRITE_BATCH,
        "write_every": WRITE_EVERY,
        "reader": workload.enterprise,
        "levels": {},
    }
    with served(workers=workers) as server:
        for level in levels:
            baseline = _phase(server.url, workload, level, duration, health_only=True)
            mixed = _phase(server.url, workload, level, duration, health_only=False)
            results["levels"][str(level)] = {"health": baseline["health"], **mixed}
        results["server_worker_peak_rss_mb"] = server.worker_peak_rss_mb()
    return results


def _workload(seed: int) -> Workload:
    """The magnet maker holding the most lots reads (the heaviest stock page); the
    synthetic loader's administrator writes, as a reporting system would."""
    holder_id = (
        Posting.objects.filter(bucket=Bucket.STOCK, holder__roles__role=EnterpriseRole.MAGNET_MAKER)
        .values("holder")
        .annotate(lots=Count("lot", distinct=True))
        .order_by("-lots")
        .values_list("holder", flat=True)
        .first()
    )
    if holder_id is None:
        raise RuntimeError("the load step needs a loaded dataset: run it with the bulk step")
    enterprise = Enterprise.objects.get(pk=holder_id)
    reader, _ = User.objects.get_or_create(
        username="bench-reader", defaults={"role": UserRole.ENTERPRISE, "enterprise": enterprise}
    )
    made = list(Lot.objects.filter(producer=enterprise).values_list("code", flat=True))
    lots = random.Random(seed).sample(made, min(TRACED_LOTS, len(made)))
    return Workload(
        reader_token=token_issue(user=reader, name="bench-load")[1],
        enterprise=enterprise.identifier,
        lots=lots,
        writer_token=token_issue(user=loader_user(), name="bench-load")[1],
        quota=bench_quota(),
    )


def _phase(url: str, workload: Workload, clients: int, duration: float, *, health_only: bool):
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    deadline = time.perf_counter() + duration

    def client(number: int) -> None:
        rng = random.Random(number)
        turn = 0
        # At least one write and one of each read, however short the phase.
        while time.perf_counter() < deadline or turn <= len(READS):
            turn += 1
            kind = "health" if health_only else _kind(turn)
            request = _request(url, workload, kind, number, rng)
            started = time.perf_counter()
            problem = _send(request)
            elapsed = time.perf_counter() - started
            samples[kind].append(elapsed)
            if problem:
                errors[kind].append(problem)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {kind: _figures(samples[kind], errors[kind], seconds) for kind in samples}


def _kind(turn: int) -> str:
    """A write first (so even a short phase measures one), then nine reads in turn."""
    if turn % WRITE_EVERY == 1:
        return "write"
    return READS[turn % len(READS)]


def _request(url: str, workload: Workload, kind: str, client: int, rng) -> urllib.request.Request:
    api = f"{url}/api/v1"
    if kind == "health":
        return urllib.request.Request(f"{url}/health")
    if kind == "write":
        return urllib.request.Request(
            f"{api}/events",
            data=workload.next_batch(client),
            method="POST",
            headers=_auth(workload.writer_token) | {"Content-Type": "application/json"},
        )
    path = {
        "me": "/me",
        "stock": f"/enterprises/{workload.enterprise}/stock",
        "genealogy": f"/lots/{rng.choice(workload.lots)}/genealogy?direction=up",
    }[kind]
    return urllib.request.Request(api + path, headers=_auth(workload.reader_token))


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _send(request: urllib.request.Request) -> str | None:
    """None for the expected 200, otherwise what went wrong."""
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as refused:
        return f"HTTP {refused.code}: {refused.read()[:200]!r}"
    except OSError as failed:
        return f"{type(failed).__name__}: {failed}"


def _figures(latencies: list[float], errors: list[str], seconds: float) -> dict:
    ms = [s * 1000 for s in latencies]
    return {
        "requests": len(ms),
        "requests_per_s": round(len(ms) / seconds, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }
