"""EPCIS capture beside the own JSON API and beside a peer, on the same events.

The events are the dataset's own: the first `limit` events of the generated chain (the
scale the run asks for, in chain order) with the registry they need. Each enterprise
reports its own events, so they travel as one document per enterprise and *wave*: an
event goes in the earliest wave after every wave that touched one of its lots,
shipments or corrected events under another reporter, and not before its reporter's
previous event (`documents_of`). A wave's documents share nothing; they are posted
by `clients` concurrent clients, wave after wave.

1. The registry goes into a fresh database, with a user and token per reporter and
   every GLN assigned; a copy of it is made for the EPCIS side.
2. Own API: each document as a batch to `POST /api/v1/events` on the first database.
3. The loaded events rendered as EPCIS 2.0 (what `reetrace epcis export` writes),
   document by document; each posted to `POST /epcis/capture` on the copy, and
   captured again in this process (`document_capture`, no HTTP, as the peer is timed)
   on a second copy. The three ledgers are then compared.
4. Peer: the same EPCIS documents as EPCIS 1.2 XML (`bench/epcis12.py`), parsed into
   QU4RTET's `quartet-epcis` in its own virtualenv (`bench/peer.py`).

The goal (issue 15): EPCIS within 1.5 times the own API's cost per event, and ahead
of the peer.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from reetrace.accounts.models import User
from reetrace.accounts.tokens import token_issue
from reetrace.bench.epcis12 import epcis12_xml
from reetrace.bench.peer import peer_capture
from reetrace.bench.scratch import bound_to, scratch_copy, scratch_url
from reetrace.bench.server import served
from reetrace.conf import CONFIG
from reetrace.epcis.capture import document_capture
from reetrace.epcis.render import CONTEXT, epcis_events_of
from reetrace.epcis.scheme import gln_assign
from reetrace.epcis.services import capture_job_new
from reetrace.ledger.models import Event, Lot
from reetrace.registry.models import Enterprise, Site
from reetrace.synth.chain import Chain
from reetrace.synth.config import load_config
from reetrace.synth.loader import Loader

REGISTRY_KINDS = ("group", "enterprise", "quota", "licence")


@dataclass
class Document:
    """One reporter's events of one wave, in chain order."""

    wave: int
    reporter: str
    events: list[dict] = field(default_factory=list)


def dataset_slice(scale: str, seed: int, end_month: date, limit: int):
    """(registry records, the first `limit` events) of the chain, in chain order."""
    registry, events = [], []
    for kind, record in Chain(load_config(scale), seed, end_month).records():
        if kind == "event":
            events.append(record)
            if len(events) == limit:
                break
        elif kind in REGISTRY_KINDS and record.get("status", "issued") == "issued":
            registry.append((kind, record))
    return registry, events


def _touches(event: dict, shipped_lots: dict[str, str]) -> set[str]:
    """What an event depends on or changes: its lots, its shipment, the event it corrects."""
    keys = {"event:" + event["event_id"]}
    lot = event.get("lot")
    if isinstance(lot, dict):
        keys.add("lot:" + lot["code"])
    elif isinstance(lot, str):
        keys.add("lot:" + lot)
    keys |= {"lot:" + line["lot"] for line in event.get("inputs", [])}
    keys |= {"lot:" + out["code"] for out in event.get("outputs", [])}
    if event["kind"] == "ship":
        shipped_lots[event["event_id"]] = event["lot"]
    if event["kind"] == "receive":
        keys.add("event:" + event["shipment"])
        if event["shipment"] in shipped_lots:
            keys.add("lot:" + shipped_lots[event["shipment"]])
    if event.get("corrects"):
        keys.add("event:" + event["corrects"])
    replacement = event.get("replacement") or {}
    if isinstance(replacement.get("lot"), str):
        keys.add("lot:" + replacement["lot"])
    return keys


def documents_of(events: list[dict]) -> list[Document]:
    """The events as per-reporter documents, in waves that respect every dependency
    between reporters; a void travels alone (what it gives back is there for the next
    document, as in the loader)."""
    last_wave: dict[str, int] = {}
    touched: dict[str, tuple[int, str]] = {}
    shipped_lots: dict[str, str] = {}
    documents: dict[tuple, Document] = {}
    for event in events:
        reporter = event["reporter"]
        wave = last_wave.get(reporter, 0)
        keys = _touches(event, shipped_lots)
        for key in keys & touched.keys():
            when, by = touched[key]
            wave = max(wave, when if by == reporter else when + 1)
        alone = event.get("action") == "void"
        if alone:
            wave += 1
        key = (wave, reporter, event["event_id"]) if alone else (wave, reporter)
        documents.setdefault(key, Document(wave, reporter)).events.append(event)
        last_wave[reporter] = wave + 1 if alone else wave
        for touched_key in keys:
            touched[touched_key] = (wave, reporter)
    return sorted(documents.values(), key=lambda d: d.wave)


def _waves(documents: list[Document]) -> list[list[int]]:
    by_wave: dict[int, list[int]] = defaultdict(list)
    for index, document in enumerate(documents):
        by_wave[document.wave].append(index)
    return [by_wave[wave] for wave in sorted(by_wave)]


def _registry_prepare(registry: list, reporters: set[str], end_month: date) -> dict[str, str]:
    """Load the registry, assign every GLN, and issue a token to each reporter."""
    call_command("migrate", verbosity=0)
    loader = Loader(end_month=end_month)
    for kind, record in registry:
        loader.add(kind, record)
    for enterprise in Enterprise.objects.order_by("pk"):
        gln_assign(enterprise=enterprise)
    for site in Site.objects.order_by("pk"):
        gln_assign(site=site)
    tokens = {}
    for enterprise in Enterprise.objects.filter(identifier__in=reporters):
        user = User.objects.create(
            username=f"bench-{enterprise.identifier}", role="enterprise", enterprise=enterprise
        )
        tokens[enterprise.identifier] = token_issue(user=user, name="bench-epcis")[1]
    missing = reporters - tokens.keys()
    if missing:
        raise RuntimeError(f"reporters not in the registry: {sorted(missing)[:5]}")
    return tokens


def _post(url: str, token: str, body: bytes, content_type: str, expected: int) -> None:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            status = response.status
    except urllib.error.HTTPError as refused:
        raise RuntimeError(f"{url} refused a document: {refused.read()[:800]!r}") from refused
    if status != expected:
        raise RuntimeError(f"{url} answered {status}, not {expected}")


def _timed_waves(documents: list[Document], send: Callable[[int], None], clients: int) -> float:
    """Seconds to send every document, wave after wave, each wave by `clients` clients."""
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for wave in _waves(documents):
            list(pool.map(send, wave))
    return time.perf_counter() - start


def _served_waves(
    url: str,
    path: str,
    documents: list[Document],
    tokens: dict[str, str],
    bodies: list[bytes],
    content_type: str,
    expected: int,
    clients: int,
) -> float:
    """(Seconds, server CPU seconds) for a server on database `url` to take every
    document at `path`."""
    with served(env=_env(url)) as server:
        cpu_start = server.worker_cpu_seconds()
        seconds = _timed_waves(
            documents,
            lambda i: _post(
                server.url + path, tokens[documents[i].reporter], bodies[i], content_type, expected
            ),
            clients,
        )
        return seconds, server.worker_cpu_seconds() - cpu_start


def _api_bodies(documents: list[Document]) -> list[bytes]:
    return [
        json.dumps(
            {"events": [{k: v for k, v in e.items() if k != "recorded_at"} for e in d.events]}
        ).encode()
        for d in documents
    ]


def epcis_documents(documents: list[Document]) -> list[dict]:
    """Each document's events as the ledger holds them, rendered as EPCIS 2.0."""
    ids = [event["event_id"] for document in documents for event in document.events]
    loaded: dict[str, Event] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found = Event.objects.filter(event_id__in=chunk).select_related("reporter", "correction")
        loaded |= {event.event_id: event for event in found}
    rendered: dict[int, list[dict]] = defaultdict(list)
    for event, served_event in epcis_events_of([loaded[i] for i in ids]):
        rendered[event.pk].append(served_event)
    return [
        {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": document.events[0]["event_time"],
            "epcisBody": {
                "eventList": [
                    served_event
                    for event in document.events
                    for served_event in rendered[loaded[event["event_id"]].pk]
                ]
            },
        }
        for document in documents
    ]


def _in_process(documents: list[Document], payloads: list[bytes]) -> tuple[float, float]:
    """(Seconds, CPU seconds) to capture the documents with `document_capture` in this
    process, one after another: no HTTP, as the peer is timed."""
    users = {
        user.enterprise.identifier: user
        for user in User.objects.filter(username__startswith="bench-").select_related("enterprise")
    }
    start, cpu_start = time.perf_counter(), time.process_time()
    for document, payload in zip(documents, payloads, strict=True):
        user = users[document.reporter]
        job = capture_job_new(user)
        document_capture(user=user, data=payload, content_type="application/ld+json", job=job)
    return time.perf_counter() - start, time.process_time() - cpu_start


def _ledger_summary() -> dict:
    """What two ledgers that took the same events must agree on."""
    return {
        "events": Event.objects.count(),
        "kinds": dict(Counter(Event.objects.values_list("kind", flat=True))),
        "lots": Lot.objects.count(),
        "lot_kg": str(Lot.objects.aggregate(total=Sum("mass_kg"))["total"]),
    }


def _rate(events: int, seconds: float) -> float:
    return round(events / seconds, 1) if seconds else 0.0


def epcis_ingest(
    scale: str, seed: int, end_month: date, limit: int, clients: int, *, peer: bool = True
) -> dict:
    registry, events = dataset_slice(scale, seed, end_month, limit)
    documents = documents_of(events)
    reporters = {event["reporter"] for event in events}
    base = CONFIG.database_url if connection.vendor != "sqlite" else "sqlite://"
    api_url = scratch_url(base, CONFIG.var_dir, "bench_epcis_api")
    with bound_to(api_url):
        tokens = _registry_prepare(registry, reporters, end_month)
    capture_url = scratch_copy(api_url, CONFIG.var_dir, "bench_epcis_capture")
    in_process_url = scratch_copy(api_url, CONFIG.var_dir, "bench_epcis_in_process")

    bodies = _api_bodies(documents)
    api_seconds, api_cpu = _served_waves(
        api_url, "/api/v1/events", documents, tokens, bodies, "application/json", 200, clients
    )
    with bound_to(api_url):
        rendered = epcis_documents(documents)
        api_ledger = _ledger_summary()
    payloads = [json.dumps(document).encode() for document in rendered]
    epcis_seconds, epcis_cpu = _served_waves(
        capture_url,
        "/epcis/capture",
        documents,
        tokens,
        payloads,
        "application/ld+json",
        202,
        clients,
    )
    with bound_to(capture_url):
        epcis_ledger = _ledger_summary()
    if epcis_ledger != api_ledger:
        raise RuntimeError(f"the ledgers differ: API {api_ledger}, EPCIS {epcis_ledger}")
    with bound_to(in_process_url):
        in_process_seconds, in_process_cpu = _in_process(documents, payloads)
        if _ledger_summary() != api_ledger:
            raise RuntimeError("the ledger captured in process differs from the API's")

    epcis_events = sum(len(d["epcisBody"]["eventList"]) for d in rendered)
    result = {
        "scale": scale,
        "events": len(events),
        "epcis_events": epcis_events,
        "documents": len(documents),
        "waves": len(_waves(documents)),
        "reporters": len(reporters),
        "clients": clients,
        "first_event_time": events[0]["event_time"],
        "last_event_time": events[-1]["event_time"],
        "kinds": dict(Counter(event["kind"] for event in events)),
        "api_seconds": round(api_seconds, 3),
        "api_events_per_s": _rate(len(events), api_seconds),
        "epcis_seconds": round(epcis_seconds, 3),
        "epcis_events_per_s": _rate(len(events), epcis_seconds),
        "cost_ratio": round(epcis_seconds / api_seconds, 2),
        "api_server_cpu_seconds": round(api_cpu, 3),
        "epcis_server_cpu_seconds": round(epcis_cpu, 3),
        "cpu_cost_ratio": round(epcis_cpu / api_cpu, 2) if api_cpu else None,
        "epcis_in_process_cpu_seconds": round(in_process_cpu, 3),
        "epcis_in_process_seconds": round(in_process_seconds, 3),
        "epcis_in_process_events_per_s": _rate(len(events), in_process_seconds),
        "ledgers_equal": True,
    }
    if not peer:
        result["peer"] = {"ran": False, "why": "asked not to (--no-peer)"}
        return result
    folder = Path(CONFIG.var_dir) / "bench" / "peer"
    xml = [epcis12_xml(document) for document in rendered]
    peer_result = peer_capture(xml, folder, None if connection.vendor == "sqlite" else base)
    if peer_result.get("ran"):
        if peer_result["events"] != epcis_events:
            raise RuntimeError(
                f"the peer stored {peer_result['events']} events of the {epcis_events} sent"
            )
        peer_result["events_per_s"] = _rate(len(events), peer_result["seconds"])
        result["peer_vs_epcis"] = round(peer_result["seconds"] / epcis_seconds, 2)
        result["peer_vs_epcis_in_process"] = round(peer_result["seconds"] / in_process_seconds, 2)
        result["peer_vs_epcis_in_process_cpu"] = round(
            peer_result["cpu_seconds"] / in_process_cpu, 2
        )
    result["peer"] = peer_result
    return result


def _env(url: str) -> dict:
    return os.environ | {"REETRACE_DATABASE_URL": url}
