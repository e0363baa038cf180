"""Every portal page with every role: allowed, denied, or sent to sign in.

The table is written from the product rules, not from ROLE_PERMISSIONS:

* enterprise users report (forms, files, closing) and see their own dashboard and lots;
* national roles (regulator, licensing and customs officers, auditor, administrator)
  see the national overview, the enterprise pages and any lot's genealogy;
* the administrator is bound to no enterprise, so the enterprise pages refuse it;
* the foreign partner analyst sees export statistics (aggregates) only;
* anonymous visitors are sent to sign in, except for the sign-in page, the public
  verification page and the charting library;
* alerts: national readers of compliance (regulator, auditor, administrator) and
  enterprise users (their shared alerts); triage, runs and case work: regulator and
  administrator; cases and risk: the national readers of risk, never enterprises;
* licence applications: every role follows the ones it may see (a partner: its
  importers', state and dates); only an enterprise applies; the desk is the
  licensing officer's (and the administrator's), and so is vetting exporters for
  general licences; statistics: national readers of licensing statistics and
  partners, not customs; refused export attempts: national roles;
* reconciliation: national roles and partners read; regulator, administrator and
  partners load datasets; partners (and the administrator) upload submissions;
* the audit journal: the auditor only; who in government read an enterprise's data:
  that enterprise's users.

A form posted empty by an allowed role answers 400 (the permission passed, the form
did not); a refused role gets 403 or 404.

A portal URL missing from the table fails the test, so a new page must say who may see it.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from openpyxl import load_workbook

from reetrace.accounts.permissions import UserRole
from reetrace.core.tables import FORMATS
from reetrace.portal import urls as portal_urls
from reetrace.portal.uploads import upload_store
from reetrace.portal.views.assets import PLOTLY_VERSION
from tests.portal.conftest import MAGNET
from tests.portal.scenes import build_scene

ANON = "anonymous"
R = UserRole
ROLES = [str(r) for r in UserRole] + [ANON]
EVERYONE = frozenset(str(r) for r in UserRole)
ENTERPRISE = frozenset({R.ENTERPRISE})
NATIONAL = frozenset({R.REGULATOR, R.LICENSING_OFFICER, R.CUSTOMS_OFFICER, R.AUDITOR, R.ADMIN})
PUBLIC = "public"
COMPLIANCE = frozenset({R.REGULATOR, R.AUDITOR, R.ADMIN})
ANALYSTS = frozenset({R.REGULATOR, R.ADMIN})
OFFICERS = frozenset({R.LICENSING_OFFICER, R.ADMIN})
STATS = frozenset({R.REGULATOR, R.AUDITOR, R.LICENSING_OFFICER, R.ADMIN, R.PARTNER})

# url name -> (method, roles allowed, or PUBLIC for pages anyone may open)
PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "portal:home": ("get", EVERYONE),
    "portal:login": ("get", PUBLIC),
    "portal:logout": ("post", PUBLIC),
    "portal:plotly": ("get", PUBLIC),
    "portal:dashboard": ("get", ENTERPRISE),
    "portal:lots": ("get", ENTERPRISE),
    "portal:report": ("get", ENTERPRISE),
    "portal:report-event": ("get", ENTERPRISE),
    "portal:suggest": ("get", ENTERPRISE),
    "portal:close": ("get", ENTERPRISE),
    "portal:upload": ("get", ENTERPRISE),
    "portal:upload-template": ("get", ENTERPRISE),
    "portal:upload-detail": ("get", ENTERPRISE),
    "portal:upload-check": ("post", ENTERPRISE),
    "portal:upload-commit": ("post", ENTERPRISE),
    "portal:upload-progress": ("get", ENTERPRISE),
    "portal:lot": ("get", ENTERPRISE | NATIONAL),
    "portal:trace": ("get", ENTERPRISE | NATIONAL),
    "portal:national": ("get", NATIONAL),
    "portal:enterprises": ("get", ENTERPRISE | NATIONAL),
    "portal:enterprise": ("get", NATIONAL),  # the miner's page: not the magnet maker's own
    "portal:exports": ("get", NATIONAL | {R.PARTNER}),
    "portal:audit": ("get", {R.AUDITOR}),  # not even the administrator
    "portal:government-reads": ("get", ENTERPRISE),
    # compliance
    "compliance:alerts": ("get", COMPLIANCE | ENTERPRISE),
    "compliance:alert": ("get", COMPLIANCE | ENTERPRISE),  # the alert shared with it
    "compliance:alert-action": ("post", ANALYSTS),
    "compliance:run-start": ("post", ANALYSTS),
    "compliance:run": ("get", ANALYSTS),
    "compliance:run-progress": ("get", ANALYSTS),
    "compliance:cases": ("get", COMPLIANCE),
    "compliance:case-open": ("post", ANALYSTS),
    "compliance:case": ("get", COMPLIANCE),
    "compliance:case-file": ("get", COMPLIANCE),
    "compliance:case-action": ("post", ANALYSTS),
    "compliance:risk": ("get", COMPLIANCE),
    # export control
    "exportcontrol:applications": ("get", EVERYONE),
    "exportcontrol:application-new": ("get", ENTERPRISE),
    "exportcontrol:desk": ("get", OFFICERS),
    "exportcontrol:statistics": ("get", STATS),
    "exportcontrol:application": ("get", EVERYONE),  # the partner: a German consignee
    "exportcontrol:document-upload": ("post", ENTERPRISE),
    "exportcontrol:document": ("get", ENTERPRISE | NATIONAL),
    "exportcontrol:application-act": ("post", ENTERPRISE),
    "exportcontrol:decide": ("post", OFFICERS),
    "exportcontrol:vetting": ("get", OFFICERS),
    "exportcontrol:vet": ("post", OFFICERS),
    "exportcontrol:vetting-revoke": ("post", OFFICERS),
    "exportcontrol:refused": ("get", NATIONAL),
    # reconciliation
    "reconciliation:datasets": ("get", NATIONAL | {R.PARTNER}),
    "reconciliation:dataset-load": ("post", {R.REGULATOR, R.ADMIN, R.PARTNER}),
    "reconciliation:submissions": ("get", NATIONAL | {R.PARTNER}),
    "reconciliation:submission-upload": ("post", {R.PARTNER, R.ADMIN}),
    "reconciliation:comparison": ("get", NATIONAL | {R.PARTNER}),
    "reconciliation:cell": ("get", NATIONAL | {R.PARTNER}),
    "reconciliation:cell-case": ("post", ANALYSTS),
    # trace pages rendered with the portal's base template
    "lot-verify": ("get", PUBLIC),
    "lot-label": ("get", ENTERPRISE | NATIONAL),
}


def portal_names(patterns=None, namespace: str = "") -> set[str]:
    """Every named URL of the portal's URLconf, with its namespace."""
    names = set()
    for p in portal_urls.urlpatterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            names |= portal_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}")
    return names


def test_every_portal_url_is_in_the_table():
    assert portal_names() == {name for name in PAGES if ":" in name}


@pytest.fixture
def scene(chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = chain.users[R.ENTERPRISE]
    stored = upload_store(actor=owner, name="one.csv", content=b"event_id,kind\n")
    made = build_scene(chain)
    number = made.application.number
    document = made.application.documents.first()
    args = {
        "portal:plotly": [PLOTLY_VERSION],
        "portal:report-event": ["ship"],
        "portal:suggest": ["domestic-parties"],
        "portal:upload-template": ["ship", "csv"],
        "portal:upload-detail": [stored.id],
        "portal:upload-check": [stored.id],
        "portal:upload-commit": [stored.id],
        "portal:upload-progress": [stored.id],
        "portal:lot": [MAGNET],
        "portal:enterprise": [chain.miner.identifier],
        "lot-verify": [MAGNET],
        "lot-label": [MAGNET],
        "compliance:alert": [made.shared.pk],
        "compliance:alert-action": [made.private.pk, "dismiss"],
        "compliance:run": [made.run.pk],
        "compliance:run-progress": [made.run.pk],
        "compliance:case": [made.case.pk],
        "compliance:case-file": [made.case.pk, made.case.attachments.first().pk],
        "compliance:case-action": [made.case.pk, "note"],
        "exportcontrol:application": [number],
        "exportcontrol:document-upload": [number],
        "exportcontrol:document": [number, document.pk],
        "exportcontrol:application-act": [number],
        "exportcontrol:decide": [number],
        "reconciliation:comparison": [made.dataset.pk],
        "reconciliation:cell": [made.dataset.pk, "850511", "DE", "2025-03"],
        "reconciliation:cell-case": [made.dataset.pk, "850511", "DE", "2025-03"],
    }
    return chain, args


def client_for(world, role: str) -> Client:
    client = Client()
    if role != ANON:
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(scene, role):
    world, args = scene
    client = client_for(world, role)
    wrong = []
    for name, (method, allowed) in PAGES.items():
        url = reverse(name, args=args.get(name, []))
        response = getattr(client, method)(url)
        if allowed == PUBLIC:
            ok = response.status_code in (200, 302)
        elif role == ANON:
            ok = response.status_code == 302 and "login" in response["Location"]
        elif role in allowed:
            passed = (200, 302, 400) if method == "post" else (200, 302)
            ok = response.status_code in passed and "login" not in response.get("Location", "")
        else:
            ok = response.status_code in (403, 404)
        if not ok:
            wrong.append(f"{method.upper()} {url}: {response.status_code}")
        if name == "portal:logout" and role != ANON:
            client = client_for(world, role)
    assert not wrong, f"{role}: " + "; ".join(wrong)


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (R.ENTERPRISE, "portal:dashboard"),
        (R.REGULATOR, "portal:national"),
        (R.AUDITOR, "portal:national"),
        (R.CUSTOMS_OFFICER, "portal:national"),
        (R.LICENSING_OFFICER, "portal:national"),
        (R.ADMIN, "portal:national"),
        (R.PARTNER, "portal:exports"),
    ],
)
def test_each_role_lands_on_its_page(world, role, landing):
    response = client_for(world, role).get("/")
    assert response.status_code == 302 and response["Location"] == reverse(landing)


def test_navigation_shows_only_what_the_role_may_open(world):
    page = client_for(world, R.PARTNER).get(reverse("portal:exports")).content.decode()
    assert reverse("portal:exports") in page
    for hidden in ("portal:national", "portal:dashboard", "portal:trace", "portal:enterprises"):
        assert f'href="{reverse(hidden)}"' not in page


def test_another_enterprises_lot_is_not_found(chain):
    client = Client()
    client.force_login(chain.user_for(chain.miner))
    assert client.get(reverse("portal:lot", args=[MAGNET])).status_code == 404


def test_an_upload_belongs_to_its_uploader(chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = upload_store(
        actor=chain.user_for(chain.magnet_maker), name="a.csv", content=b"event_id\n"
    )
    client = Client()
    client.force_login(chain.user_for(chain.miner))
    assert client.get(reverse("portal:upload-detail", args=[stored.id])).status_code == 403


# Query strings that make a page show its tables with rows in them.
MARCH = {"start": "2025-03", "end": "2025-03"}
QUERY = {"portal:close": {"period": "2025-03"}, "portal:national": MARCH, "portal:exports": MARCH}
UNMARKED: dict[str, int] = {}  # pages allowed hand-written tables: none


class Tables(HTMLParser):
    """The <table> tags of a page (with their data-table mark) and its download links."""

    def __init__(self):
        super().__init__()
        self.marks: list[str | None] = []
        self.downloads: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.marks.append(attrs.get("data-table"))
        href = attrs.get("href") or ""
        query = parse_qs(urlsplit(href).query)
        if tag == "a" and href.startswith("?") and "export" in query:
            self.downloads.setdefault(query["export"][0], set()).add(href)


def _header_row(response, fmt: str) -> list[str]:
    if fmt == "csv":
        return next(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [str(v) for v in next(sheet.values)]


def test_every_table_on_every_page_downloads_as_csv_and_xlsx(scene):
    """Each role that may open a page renders it; every <table> on it must come from
    _table.html, and every table it offers downloads with the headers shown on screen."""
    world, args = scene
    clients = {role: client_for(world, role) for role in ROLES}
    wrong, downloaded = [], 0
    for name, (method, allowed) in PAGES.items():
        if method != "get":
            continue
        roles = [ANON] if allowed == PUBLIC else sorted(allowed)
        url = reverse(name, args=args.get(name, []))
        done: set[str] = set()
        for role in roles:
            page = clients[role].get(url, QUERY.get(name, {}))
            if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
                continue
            found = Tables()
            found.feed(page.content.decode())
            unmarked = found.marks.count(None)
            if unmarked != UNMARKED.get(name, 0):
                wrong.append(f"{name} as {role}: {unmarked} <table> not from _table.html")
            if not {m for m in found.marks if m} <= found.downloads.keys():
                wrong.append(f"{name} as {role}: a table without download links")
            for table_id, hrefs in found.downloads.items():
                if table_id in done:
                    continue
                done.add(table_id)
                table = page.context["tables"][table_id]
                headers = [str(c.header) for c in table.columns]
                for href in sorted(hrefs):
                    fmt = parse_qs(urlsplit(href).query)["format"][0]
                    got = clients[role].get(url + href)
                    downloaded += 1
                    if got.status_code != 200 or got["Content-Type"] != FORMATS[fmt]:
                        wrong.append(f"{name} {table_id}.{fmt}: {got.status_code}")
                    elif _header_row(got, fmt) != headers:
                        wrong.append(f"{name} {table_id}.{fmt}: headers {_header_row(got, fmt)}")
    assert not wrong, "; ".join(wrong)
    assert downloaded >= 2 * 30  # the walk reached the tables, not only sign-in pages
