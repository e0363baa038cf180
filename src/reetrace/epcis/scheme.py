"""How reetrace's own identifiers are spelt as GS1 keys, and read back.

- A lot is an LGTIN: the GTIN of its product and the lot's `RT…` code as the
  batch/lot number (AI 10). Products of the standard catalogue have GTINs under
  reetrace's GS1 company prefix `COMPANY_PREFIX`: indicator digit 0, the prefix, a
  five-digit item reference that is the product's position in the catalogue
  (`registry.catalogue.STANDARD_PRODUCTS`, which only grows at its end), and the
  check digit. `RT1234567890ABX` of `ORE-BASTNAESITE` is
  `urn:epc:class:lgtin:6975000.000001.RT1234567890ABX` or, as a Digital Link,
  `https://id.gs1.org/01/06975000000012/10/RT1234567890ABX`.
- An enterprise is a PGLN (AI 417) and a site an SGLN (AI 414): the GLN registered
  for it (`GlnAssignment`), its own when it holds a GS1 prefix, otherwise one under
  reetrace's prefix, assigned in order (`gln_assign`).
Any other key, or a GLN no one registered, is refused by the mapping with the event
and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from reetrace.epcis.identifiers import canonical_uri, check_digit
from reetrace.epcis.models import GlnAssignment
from reetrace.registry.catalogue import STANDARD_PRODUCTS
from reetrace.registry.models import Enterprise, Site

__all__ = [
    "COMPANY_PREFIX",
    "gln_assign",
    "gln_lookups_kept",
    "gln_party",
    "gln_site",
    "lgtin_parse",
    "lot_lgtin",
    "party_uri",
    "product_gtin",
    "site_uri",
]

COMPANY_PREFIX = "6975000"
ITEM_REFERENCES = {code: n for n, (code, *_rest) in enumerate(STANDARD_PRODUCTS, start=1)}
PRODUCTS_BY_GTIN: dict[str, str] = {}
LGTIN_LINK = re.compile(r"^https://id\.gs1\.org/01/(\d{14})/10/([^/?#]+)$")
GTIN_LINK = re.compile(r"^https://id\.gs1\.org/01/(\d{14})$")
GLN_LINK = re.compile(r"^https://id\.gs1\.org/(417|414)/(\d{13})(?:/254/([^/?#]+))?$")


def product_gtin(product_code: str) -> str | None:
    """The GTIN-14 of a standard catalogue product under reetrace's prefix."""
    reference = ITEM_REFERENCES.get(product_code)
    if reference is None:
        return None
    body = "0" + COMPANY_PREFIX + f"{reference:05d}"
    return body + check_digit(body)


for _code in ITEM_REFERENCES:
    PRODUCTS_BY_GTIN[product_gtin(_code) or ""] = _code


def lot_lgtin(code: str, product_code: str) -> str:
    """A lot as the canonical Digital Link of its LGTIN."""
    gtin = product_gtin(product_code)
    if gtin is None:
        raise ValueError(f"product {product_code} has no GTIN under reetrace's prefix")
    return f"https://id.gs1.org/01/{gtin}/10/{code}"


def lgtin_parse(text: str) -> tuple[str | None, str | None]:
    """(product code, lot code) of an LGTIN as URN or Digital Link on any host.

    (None, None) when `text` is no LGTIN; (None, lot) when the GTIN is not one of
    reetrace's products; a bare GTIN (a class without a lot) gives (product, None).
    """
    link = canonical_uri(text)
    if match := LGTIN_LINK.match(link):
        return PRODUCTS_BY_GTIN.get(match[1]), match[2]
    if match := GTIN_LINK.match(link):
        return PRODUCTS_BY_GTIN.get(match[1]), None
    return None, None


def _gln_of(text: str) -> tuple[str, str, str | None] | None:
    match = GLN_LINK.match(canonical_uri(text))
    return (match[1], match[2], match[3]) if match else None


_lookups: ContextVar[dict | None] = ContextVar("gln_lookups", default=None)


@contextmanager
def gln_lookups_kept(named: Iterable[str] = ()) -> Iterator[None]:
    """Within the block, each GLN is looked up once (a capture names the same parties
    and sites event after event); the GLNs `named` (a document's) are read up front in
    one query rather than one query each."""
    token = _lookups.set(_gln_read(named))
    try:
        yield
    finally:
        _lookups.reset(token)


def _gln_read(named: Iterable[str]) -> dict:
    """The parties and sites the GS1 keys `named` name, as `_kept` keeps them; a GLN no
    one registered is kept as None."""
    keys = {text: found for text in set(named) if (found := _gln_of(text)) is not None}
    assignments = {
        a.gln: a
        for a in GlnAssignment.objects.select_related("enterprise", "site__enterprise").filter(
            gln__in={found[1] for found in keys.values()}
        )
    }
    kept: dict = {}
    for text, (ai, gln, _) in keys.items():
        assignment = assignments.get(gln)
        kept[("party", text)] = _party_of(assignment)
        kept[("site", text)] = _site_of(assignment) if ai == "414" else None
    return kept


def _kept(kind: str, text: str, look_up):
    kept = _lookups.get()
    if kept is None:
        return look_up(text)
    if (kind, text) not in kept:
        kept[(kind, text)] = look_up(text)
    return kept[(kind, text)]


def gln_party(text: str) -> Enterprise | None:
    """The enterprise a PGLN (or the SGLN of one of its sites) names."""
    return _kept("party", text, _gln_party)


def gln_site(text: str) -> Site | None:
    """The site an SGLN names."""
    return _kept("site", text, _gln_site)


def _gln_party(text: str) -> Enterprise | None:
    found = _gln_of(text)
    if found is None:
        return None
    assignment = (
        GlnAssignment.objects.select_related("enterprise", "site__enterprise")
        .filter(gln=found[1])
        .first()
    )
    return _party_of(assignment)


def _party_of(assignment: GlnAssignment | None) -> Enterprise | None:
    if assignment is None:
        return None
    return assignment.enterprise or assignment.site.enterprise


def _gln_site(text: str) -> Site | None:
    found = _gln_of(text)
    if found is None or found[0] != "414":
        return None
    assignment = GlnAssignment.objects.select_related("site").filter(gln=found[1]).first()
    return _site_of(assignment)


def _site_of(assignment: GlnAssignment | None) -> Site | None:
    return assignment.site if assignment and assignment.site_id else None


def gln_assign(*, enterprise: Enterprise | None = None, site: Site | None = None) -> str:
    """The GLN of an enterprise or site, assigning the next one under reetrace's
    prefix when it has none (prefix, five-digit serial, check digit)."""
    lookup = {"enterprise": enterprise} if enterprise is not None else {"site": site}
    existing = GlnAssignment.objects.filter(**lookup).values_list("gln", flat=True).first()
    if existing:
        return existing
    with transaction.atomic():
        ours = GlnAssignment.objects.select_for_update().filter(gln__startswith=COMPANY_PREFIX)
        serial = 1 + max((int(g[7:12]) for g in ours.values_list("gln", flat=True)), default=0)
        body = COMPANY_PREFIX + f"{serial:05d}"
        gln = body + check_digit(body)
        GlnAssignment.objects.create(gln=gln, **lookup)
    return gln


def party_uri(enterprise: Enterprise) -> str:
    return f"https://id.gs1.org/417/{gln_assign(enterprise=enterprise)}"


def site_uri(site: Site) -> str:
    return f"https://id.gs1.org/414/{gln_assign(site=site)}"
