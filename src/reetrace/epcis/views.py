"""The EPCIS 2.0 REST bindings under /epcis/: discovery, capture and its jobs.

Thin: each view reads the request, calls one service or selector and answers."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from reetrace.core.permissions import Permission
from reetrace.epcis.capture import CaptureRefused, document_capture
from reetrace.epcis.http import discovery_headers, endpoint, json_body, problem
from reetrace.epcis.models import CaptureJob, NamedQuery, Subscription
from reetrace.epcis.query import query_document, query_events
from reetrace.epcis.scheme import product_gtin
from reetrace.epcis.selectors import (
    capture_jobs_of,
    lot_named_by_link,
    named_queries,
    named_query_get,
    subscriptions_of,
)
from reetrace.epcis.services import capture_job_new, named_query_delete, named_query_save
from reetrace.epcis.subscriptions import subscription_create, subscription_delete
from reetrace.epcis.tree import EVENT_TYPES

QUERY_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
CAPTURE_TYPES = ("application/ld+json", "application/json", "application/xml", "text/xml")


@endpoint(None, {"GET", "OPTIONS"})
def root(request):
    """What this server speaks; OPTIONS and GET both answer it."""
    if request.method == "OPTIONS":
        return discovery_headers(HttpResponse(status=204), "OPTIONS, GET")
    body = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "resources": ["capture", "events", "eventTypes", "epcs", "queries"],
        "versions": ["2.0.0"],
    }
    return discovery_headers(json_body(body), "OPTIONS, GET")


def _job_body(job: CaptureJob) -> dict:
    return {
        "captureID": str(job.capture_id),
        "createdAt": job.created_at.isoformat(),
        "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
        "state": job.state,
        "running": job.state == CaptureJob.State.RUNNING,
        "success": job.state == CaptureJob.State.SUCCESS,
        "captureErrorBehaviour": "rollback",
        "eventCount": job.event_count,
        "errors": job.errors,
    }


def _behaviour_refused(request) -> HttpResponse | None:
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback")
    if behaviour != "rollback":
        return problem(
            400,
            f"GS1-Capture-Error-Behaviour {behaviour!r} is not offered: reetrace captures a "
            "document all or nothing (rollback)",
        )
    if not request.content_type.startswith(CAPTURE_TYPES):
        return problem(415, f"{request.content_type or 'no content type'}; send JSON-LD or XML")
    return None


def _new_job(request) -> CaptureJob:
    return capture_job_new(request.auth)


@endpoint(Permission.LEDGER_EVENT_CAPTURE, {"GET", "POST", "OPTIONS"})
def capture(request):
    """POST a document (202 and the job's Location); GET the caller's jobs."""
    if request.method == "OPTIONS":
        return discovery_headers(HttpResponse(status=204), "OPTIONS, POST, GET")
    if request.method == "GET":
        jobs = capture_jobs_of(request.auth)[:100]
        return json_body([_job_body(job) for job in jobs])
    if (refused := _behaviour_refused(request)) is not None:
        return refused
    if request.auth.enterprise_id is None:
        return problem(403, "only an enterprise's user captures its events")
    job = _new_job(request)
    try:
        document_capture(
            user=request.auth, data=request.body, content_type=request.content_type, job=job
        )
    except CaptureRefused as refused:
        # Captured synchronously, so the refusal is answered now as well as kept on the job.
        response = problem(refused.status, refused.title, kind=refused.kind, errors=refused.errors)
    else:
        response = json_body(_job_body(job))
        response.status_code = 202
    response["Location"] = f"/epcis/capture/{job.capture_id}"
    return response


@endpoint(Permission.LEDGER_EVENT_CAPTURE, {"GET"})
def capture_job(request, capture_id):
    job = get_object_or_404(capture_jobs_of(request.auth), capture_id=capture_id)
    return json_body(_job_body(job))


@endpoint(Permission.LEDGER_EVENT_READ, {"GET", "POST"})
def events(request):
    """GET: the standard event query; POST: one event captured synchronously."""
    if request.method == "GET":
        return _query_answer(request, request.GET.dict())
    if not request.auth.has_permission(Permission.LEDGER_EVENT_CAPTURE):
        return problem(403, f"your role does not allow {Permission.LEDGER_EVENT_CAPTURE}")
    return _events_capture(request)


def _query_answer(request, params: dict) -> HttpResponse:
    page = query_events(actor=request.auth, params=params)
    response = json_body(query_document(page.events))
    if page.next_token:
        following = {k: v for k, v in params.items() if k != "nextPageToken"}
        following["nextPageToken"] = page.next_token
        response["Link"] = f'<{request.path}?{urlencode(following)}>; rel="next"'
    return response


@endpoint(Permission.LEDGER_EVENT_READ, {"GET"})
def event(request, event_id):
    page = query_events(actor=request.auth, params={"EQ_eventID": event_id})
    if not page.events:
        return problem(404, f"no event {event_id} that you may see")
    return json_body(query_document(page.events[:1]))


@endpoint(Permission.LEDGER_EVENT_READ, {"GET"})
def event_types(request):
    return json_body({"@set": list(EVENT_TYPES)})


@endpoint(Permission.LEDGER_EVENT_READ, {"GET"})
def epc_events(request, epc):
    """Events naming `epc`, as an instance or a class (a lot's LGTIN)."""
    params = request.GET.dict()
    by_instance = query_events(actor=request.auth, params=params | {"MATCH_anyEPC": epc})
    by_class = query_events(actor=request.auth, params=params | {"MATCH_anyEPCClass": epc})
    seen = {e["eventID"] for e in by_instance.events}
    events = by_instance.events + [e for e in by_class.events if e["eventID"] not in seen]
    return json_body(query_document(events))


def _events_capture(request):
    """One event, captured synchronously: 201 with its Location, or the problem."""
    if (refused := _behaviour_refused(request)) is not None:
        return refused
    if request.auth.enterprise_id is None:
        return problem(403, "only an enterprise's user captures its events")
    job = _new_job(request)
    outcome = document_capture(
        user=request.auth, data=request.body, content_type=request.content_type, job=job
    )
    hash_id = (outcome.created or outcome.replayed or [""])[0]
    response = json_body(_job_body(job) | {"eventID": hash_id})
    response.status_code = 201
    response["Location"] = f"/epcis/events/{hash_id}"
    return response


@endpoint(Permission.LEDGER_EVENT_READ, {"GET", "POST"})
def queries(request):
    """POST {"name", "query": {parameter: value}} saves a query (201); GET lists them."""
    if request.method == "GET":
        return json_body([_query_body(q) for q in named_queries()])
    try:
        body = json.loads(request.body)
    except ValueError:
        return problem(400, "the body is not JSON")
    name, parameters = body.get("name"), body.get("query")
    if not isinstance(name, str) or not QUERY_NAME.fullmatch(name):
        return problem(400, "name: 1-100 letters, digits, '_', '-' or '.'")
    if not isinstance(parameters, dict) or not all(isinstance(v, str) for v in parameters.values()):
        return problem(400, "query: an object of parameter names to string values")
    query = named_query_save(owner=request.auth, name=name, parameters=parameters)
    response = json_body(_query_body(query))
    response.status_code = 201
    response["Location"] = f"/epcis/queries/{name}"
    return response


def _query_body(query: NamedQuery) -> dict:
    return {"name": query.name, "query": query.parameters, "createdAt": query.created_at}


@endpoint(Permission.LEDGER_EVENT_READ, {"GET", "DELETE"})
def named_query(request, name: str):
    """GET the definition; DELETE it (its owner only): 204."""
    query = named_query_get(name)
    if query is None:
        return problem(404, f"no query named {name!r}")
    if request.method == "GET":
        return json_body(_query_body(query))
    named_query_delete(actor=request.auth, query=query)
    return HttpResponse(status=204)


@endpoint(Permission.LEDGER_EVENT_READ, {"GET"})
def named_query_events(request, name: str):
    """The saved query's events as the caller may see them, paged like /events."""
    query = named_query_get(name)
    if query is None:
        return problem(404, f"no query named {name!r}")
    paging = {k: v for k, v in request.GET.dict().items() if k in {"perPage", "nextPageToken"}}
    return _query_answer(request, query.parameters | paging)


def _subscription_body(subscription: Subscription) -> dict:
    """A subscription as answered: never its secret, only that one is set."""
    body = {
        "subscriptionID": str(subscription.subscription_id),
        "queryName": subscription.query.name,
        "dest": subscription.dest,
        "signatureToken": "***",
        "reportIfEmpty": subscription.report_if_empty,
        "createdAt": subscription.created_at.isoformat(),
    }
    if subscription.stream:
        return body | {"stream": True}
    return body | {"schedule": subscription.schedule}


@endpoint(Permission.LEDGER_EVENT_READ, {"GET", "POST"})
def subscriptions(request, name: str):
    """POST {"dest", "signatureToken", "stream": true | "schedule": {...},
    "reportIfEmpty"} subscribes the caller (201); GET lists the caller's."""
    query = named_query_get(name)
    if query is None:
        return problem(404, f"no query named {name!r}")
    if request.method == "GET":
        return json_body([_subscription_body(s) for s in subscriptions_of(request.auth, query)])
    try:
        body = json.loads(request.body)
    except ValueError:
        return problem(400, "the body is not JSON")
    if not isinstance(body, dict):
        return problem(400, "the body is a JSON object with dest and signatureToken")
    subscription = subscription_create(owner=request.auth, query=query, body=body)
    response = json_body(_subscription_body(subscription))
    response.status_code = 201
    response["Location"] = f"/epcis/queries/{name}/subscriptions/{subscription.subscription_id}"
    return response


@endpoint(Permission.LEDGER_EVENT_READ, {"GET", "DELETE"})
def subscription(request, name: str, subscription_id):
    """GET one of the caller's subscriptions; DELETE unsubscribes (204)."""
    query = named_query_get(name)
    found = (
        subscriptions_of(request.auth, query).filter(subscription_id=subscription_id).first()
        if query is not None
        else None
    )
    if found is None:
        return problem(404, f"no subscription {subscription_id} of yours on {name!r}")
    if request.method == "GET":
        return json_body(_subscription_body(found))
    subscription_delete(actor=request.auth, subscription=found)
    return HttpResponse(status=204)


def label_digital_link(request, lot) -> str | None:
    """A lot label's QR code: the lot's GS1 Digital Link on this server, which
    `digital_link_resolve` sends to the public verification page."""
    gtin = product_gtin(lot.product.code)
    if gtin is None:
        return None
    return request.build_absolute_uri(f"/01/{gtin}/10/{lot.code}")


def digital_link_resolve(request, gtin: str, lot: str):
    """GET /01/{gtin}/10/{lot}: the verification page of that lot, when the GTIN is its
    product's; anything else is not found."""
    if not lot_named_by_link(gtin, lot):
        raise Http404("no such lot under that GTIN")
    return redirect("lot-verify", code=lot)
