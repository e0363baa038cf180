"""Webhook subscriptions on named queries: signed reports, retries, scoping, bad input.

Reports go to a receiver on 127.0.0.1 in a thread of the test (no network), which
REETRACE_EPCIS_WEBHOOK_PRIVATE_OK lets through; the tests of the internal-network
refusal turn it off."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import socket
import threading
from datetime import timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends

from reetrace.epcis.models import Delivery, Subscription
from reetrace.epcis.subscriptions import scheduled_report
from reetrace.epcis.tasks import delivery_send
from reetrace.epcis.webhooks import deliveries_send_due
from tests.epcis import documents as d
from tests.factories.world import code, mine_event, receive_event, ship_event

pytestmark = pytest.mark.django_db

SECRET = "a-shared-secret-of-the-subscriber"
LD = "application/ld+json"


class Receiver:
    """An HTTP server keeping what it is sent; answers the statuses queued, then 200."""

    def __init__(self, statuses: tuple[int, ...] = ()):
        self.received: list[tuple[Message, bytes]] = []
        self.statuses = list(statuses)
        self.released = threading.Event()
        self.released.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((self.headers, body))
                outer.released.wait()
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"

    def events(self, index: int = 0) -> list[dict]:
        body = json.loads(self.received[index][1])
        assert body["type"] == "EPCISQueryDocument"
        return body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]

    def hang(self) -> None:
        """Answer nothing until `release` (a subscriber's server that stalls)."""
        self.released.clear()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(statuses: tuple[int, ...] = ()) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.REETRACE_EPCIS_WEBHOOK_PRIVATE_OK = True
    settings.REETRACE_WEBHOOK_BACKOFF_SECONDS = 0.01
    settings.REETRACE_WEBHOOK_TIMEOUT_SECONDS = 5


def _query(api, name: str, **parameters: str) -> None:
    response = api.post(
        "/epcis/queries", {"name": name, "query": parameters}, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def _send_due(after_seconds: float = 0) -> dict[str, int]:
    """Run the out-of-band sender as cron would, `after_seconds` from now."""
    return dict(deliveries_send_due(timezone.now() + timedelta(seconds=after_seconds)))


def _subscribe(api, name: str, dest: str, **extra):
    body = {"dest": dest, "signatureToken": SECRET, "stream": True} | extra
    return api.post(f"/epcis/queries/{name}/subscriptions", body, content_type="application/json")


def test_a_stream_report_is_signed_and_recorded(
    world, receivers, django_capture_on_commit_callbacks
):
    receiver = receivers()
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    created = _subscribe(api, "mined", receiver.url)
    assert created.status_code == 201, created.content
    assert created["Location"].endswith(created.json()["subscriptionID"])
    assert SECRET not in created.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        world.capture(world.miner, mine_event(1))
    assert receiver.received == [] and Delivery.objects.get().status == "pending"
    assert _send_due() == {"delivered": 1}
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["GS1-Signature"] == expected
    assert [e["bizStep"] for e in receiver.events()] == ["commissioning"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.event_count) == ("delivered", 1, 1)


def test_a_failing_receiver_is_retried_then_given_up(
    world, receivers, settings, django_capture_on_commit_callbacks
):
    settings.REETRACE_WEBHOOK_ATTEMPTS = 3
    flaky, down = receivers((500, 500)), receivers((500, 500, 500))
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    assert _subscribe(api, "mined", flaky.url).status_code == 201
    assert _subscribe(api, "mined", down.url).status_code == 201
    settings.REETRACE_WEBHOOK_BACKOFF_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        world.capture(world.miner, mine_event(1))
    assert _send_due() == {"pending": 2}
    retry = Delivery.objects.values_list("next_attempt_at", flat=True).first()
    assert 59 <= (retry - timezone.now()).total_seconds() <= 60
    assert _send_due(30) == {}  # the retry is not due yet
    assert _send_due(61) == {"pending": 2}  # second attempt, now waiting 120 s
    assert _send_due(61 + 119) == {}
    assert _send_due(61 + 121) == {"delivered": 1, "failed": 1}
    assert _send_due(3600) == {}
    assert len(flaky.received) == 3 and len(down.received) == 3
    by_dest = {x.subscription.dest: x for x in Delivery.objects.select_related("subscription")}
    assert (by_dest[flaky.url].status, by_dest[flaky.url].attempts) == ("delivered", 3)
    given_up = by_dest[down.url]
    assert (given_up.status, given_up.attempts) == ("failed", 3)
    assert given_up.last_error.startswith("HTTP 500")


def test_a_subscriber_receives_only_what_its_owner_may_see(
    world, receivers, django_capture_on_commit_callbacks
):
    buyer, outsider = receivers(), receivers()
    _query(world.client(world.miner), "shipments", EQ_bizStep="shipping")
    assert _subscribe(world.client(world.separator), "shipments", buyer.url).status_code == 201
    assert _subscribe(world.client(world.metal_maker), "shipments", outsider.url).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        world.capture(world.miner, mine_event(1), ship_event("s-1", 1, "500", world.separator))
        world.capture(world.separator, receive_event("r-1", "s-1", "500"))
    _send_due()
    assert len(buyer.received) == 1
    assert [e["bizStep"] for e in buyer.events()] == ["shipping"]
    assert outsider.received == []
    assert not Delivery.objects.filter(subscription__owner=world.user_for(world.metal_maker))


def test_an_epcis_capture_is_reported_as_sent(world, receivers, django_capture_on_commit_callbacks):
    receiver = receivers()
    api = world.client(world.miner)
    _query(api, "everything")
    assert _subscribe(api, "everything", receiver.url).status_code == 201
    ore = code(601)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/epcis/capture",
            d.body(d.mined(ore, "1000", 1), d.inspected(ore, "ORE-BASTNAESITE", 2)),
            content_type=LD,
        )
    assert response.status_code == 202, response.content
    _send_due()
    ids = [
        e["eventID"]
        for e in api.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"][
            "eventList"
        ]
    ]
    assert len(receiver.received) == 1
    assert sorted(e["eventID"] for e in receiver.events()) == sorted(ids)
    assert {e["type"] for e in receiver.events()} == {"ObjectEvent"} and len(ids) == 2


def test_list_get_and_delete_are_the_owners(world, receivers, django_capture_on_commit_callbacks):
    receiver = receivers()
    owner, other = world.client(world.miner), world.client(world.separator)
    _query(owner, "mined", EQ_bizStep="commissioning")
    location = _subscribe(owner, "mined", receiver.url)["Location"]
    listed = owner.get("/epcis/queries/mined/subscriptions").json()
    assert [s["dest"] for s in listed] == [receiver.url]
    assert listed[0]["signatureToken"] == "***" and listed[0]["stream"] is True
    assert other.get("/epcis/queries/mined/subscriptions").json() == []
    assert other.get(location).status_code == 404
    assert other.delete(location).status_code == 404
    assert owner.get(location).json()["dest"] == receiver.url
    assert owner.delete(location).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        world.capture(world.miner, mine_event(1))
    assert _send_due() == {}
    assert receiver.received == [] and not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dest": "ftp://example.org/x"}, "dest"),
        ({"dest": "not a url"}, "dest"),
        ({"signatureToken": "short"}, "signatureToken"),
        ({"stream": False}, "stream"),
        ({"schedule": {"hour": "1"}}, "schedule"),
        ({"stream": None, "schedule": {"hour": "25"}}, "schedule.hour"),
        ({"stream": None, "schedule": {"fortnight": "1"}}, "schedule"),
        ({"reportIfEmpty": "yes"}, "reportIfEmpty"),
    ],
)
def test_bad_subscriptions_are_problems_naming_the_field(world, body, field):
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    request = {"dest": "https://client.example.com/cb", "signatureToken": SECRET, "stream": True}
    request = {k: v for k, v in (request | body).items() if v is not None}
    response = api.post(
        "/epcis/queries/mined/subscriptions", request, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert not Subscription.objects.exists()


def test_a_subscription_to_an_unknown_query_is_not_found(world):
    response = _subscribe(world.client(world.miner), "nothing", "https://client.example.com/cb")
    assert response.status_code == 404
    assert response.json()["type"] == "epcisException:NoSuchResourceException"
    assert "'nothing'" in response.json()["title"]


def test_a_scheduled_report_carries_what_was_recorded_since(
    world, receivers, django_capture_on_commit_callbacks
):
    receiver = receivers()
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    schedule = {"hour": "1", "minute": "5"}
    body = {"dest": receiver.url, "signatureToken": SECRET, "schedule": schedule}
    body["reportIfEmpty"] = True
    created = api.post("/epcis/queries/mined/subscriptions", body, content_type="application/json")
    assert created.status_code == 201, created.content
    world.capture(world.miner, mine_event(1))
    due = (timezone.now() + timedelta(days=1)).replace(hour=1, minute=5, second=0)
    assert scheduled_report(due.replace(minute=6)) == []
    with django_capture_on_commit_callbacks(execute=True):
        first = scheduled_report(due)
    assert [x.event_count for x in first] == [1]
    assert _send_due() == {"delivered": 1}
    assert [e["bizStep"] for e in receiver.events()] == ["commissioning"]
    with django_capture_on_commit_callbacks(execute=True):
        second = scheduled_report(due + timedelta(days=1))
    assert _send_due() == {"delivered": 1}
    assert [x.event_count for x in second] == [0] and receiver.events(1) == []


def test_the_command_sends_the_reports_due_now(
    world, receivers, django_capture_on_commit_callbacks
):
    receiver = receivers()
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    schedule = {"minute": ",".join(str(minute) for minute in range(60))}  # every minute
    body = {"dest": receiver.url, "signatureToken": SECRET, "schedule": schedule}
    body["reportIfEmpty"] = True
    created = api.post("/epcis/queries/mined/subscriptions", body, content_type="application/json")
    assert created.status_code == 201, created.content
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("epcis", "subscriptions", stdout=out)
    assert out.getvalue().startswith(
        "1 scheduled report(s) made; 1 report(s) sent: 0 pending, 1 delivered"
    )
    assert len(receiver.received) == 1 and receiver.events() == []


@pytest.fixture
def dns(monkeypatch):
    """Names resolving as the test says (no resolver needed); others as the system does."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.mark.parametrize(
    "dest",
    [
        "http://127.0.0.1:8000/cb",
        "http://10.1.2.3/cb",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/cb",
        "http://[::ffff:127.0.0.1]/cb",
        "http://224.0.0.1/cb",
        "https://admin.internal.example/cb",
    ],
)
def test_a_dest_in_the_internal_network_is_refused(world, settings, dns, dest):
    settings.REETRACE_EPCIS_WEBHOOK_PRIVATE_OK = False
    dns["admin.internal.example"] = "127.0.0.1"
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    response = _subscribe(api, "mined", dest)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["field"] == "dest" and "internal" in error["message"]
    assert not Subscription.objects.exists()


def test_a_public_dest_is_accepted_and_private_ok_lets_a_test_rig_through(world, settings, dns):
    settings.REETRACE_EPCIS_WEBHOOK_PRIVATE_OK = False
    dns["erp.example.com"] = "93.184.215.14"
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    assert _subscribe(api, "mined", "https://erp.example.com/cb").status_code == 201
    assert _subscribe(api, "mined", "https://nowhere.invalid/cb").status_code == 400
    settings.REETRACE_EPCIS_WEBHOOK_PRIVATE_OK = True
    assert _subscribe(api, "mined", "http://10.1.2.3/cb").status_code == 201


def test_a_dest_that_came_to_resolve_inside_is_refused_at_delivery(
    world, receivers, settings, dns, django_capture_on_commit_callbacks
):
    receiver = receivers()
    settings.REETRACE_EPCIS_WEBHOOK_PRIVATE_OK = False
    dns["erp.example.com"] = "93.184.215.14"
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    dest = f"http://erp.example.com:{receiver.server.server_port}/callback"
    assert _subscribe(api, "mined", dest).status_code == 201
    dns["erp.example.com"] = "127.0.0.1"  # the subscriber's DNS now points inside
    with django_capture_on_commit_callbacks(execute=True):
        world.capture(world.miner, mine_event(1))
    assert _send_due() == {"refused": 1}
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("refused", 1)
    assert "127.0.0.1" in delivery.last_error and "internal" in delivery.last_error
    assert receiver.received == []


def test_a_capture_does_not_wait_on_a_hanging_receiver(
    world, receivers, settings, django_capture_on_commit_callbacks
):
    settings.REETRACE_WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.REETRACE_WEBHOOK_BACKOFF_SECONDS = 60
    receiver = receivers()
    receiver.hang()
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    assert _subscribe(api, "mined", receiver.url).status_code == 201
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        world.capture(world.miner, mine_event(1))
    # The capture returned having only kept the report: nothing was sent or enqueued.
    assert callbacks == [] and receiver.received == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert _send_due() == {"pending": 1}  # the attempt timed out, a retry is recorded
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "timed out" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    receiver.released.set()
    assert _send_due(3600) == {"delivered": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_a_queued_task_backend_is_handed_the_report_after_commit(
    world, receivers, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    receiver = receivers()
    api = world.client(world.miner)
    _query(api, "mined", EQ_bizStep="commissioning")
    assert _subscribe(api, "mined", receiver.url).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        world.capture(world.miner, mine_event(1))
    backend = task_backends["default"]
    delivery = Delivery.objects.get()
    assert [r.args for r in backend.results] == [[delivery.pk]]
    assert delivery.status == "pending" and receiver.received == []
    assert delivery_send.call(delivery.pk) == "delivered"  # what the worker runs
    assert delivery_send.call(delivery.pk) == "not due"
    assert len(receiver.received) == 1
