"""What the issue-16 scenarios share: events posted, detection run and alerts read
through the public API, as a new user would, never through the generator."""

from __future__ import annotations

import json

API = "/api/v1"
AS_OF = "2025-12-20T12:00:00+08:00"


def post_events(client, *events, status: int = 200) -> dict:
    response = client.post(
        f"{API}/events", {"events": list(events)}, content_type="application/json"
    )
    assert response.status_code == status, response.content
    return response.json()


def detect_through_api(world, capture_on_commit, rules: list[str], as_of: str = AS_OF):
    """Start a detection run as the regulator (its job runs on commit) and answer the
    alerts it raised, as the regulator reads them."""
    client = world.client("regulator")
    with capture_on_commit(execute=True):
        response = client.post(
            f"{API}/compliance/runs",
            data=json.dumps({"rules": rules, "as_of": as_of}),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    run = client.get(f"{API}/compliance/runs/{response.json()['id']}").json()
    assert run["status"] == "done", run
    alerts = []
    for rule in rules:
        for listed in client.get(f"{API}/compliance/alerts", {"rule": rule}).json():
            alerts.append(client.get(f"{API}/compliance/alerts/{listed['id']}").json())
    return alerts
