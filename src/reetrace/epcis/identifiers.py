"""GS1 identifiers as EPCIS carries them: EPC URNs and GS1 Digital Link URIs.

EPCIS 2.0 accepts a key either as an EPC URN (`urn:epc:id:sgtin:4012345.011111.9876`)
or as a Digital Link URI (`https://id.gs1.org/01/04012345111118/21/9876`); CBV 2.0
compares and hashes them in one canonical form, the Digital Link on `id.gs1.org`.
`canonical_uri` turns either into that form (and leaves anything else alone), so the
Event Hash ID and the mapping to reetrace's lots, enterprises and sites read one
spelling whichever the sender used.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

__all__ = ["canonical_uri", "check_digit", "urn_to_digital_link"]

DL_HOST = "https://id.gs1.org"

# Digital Link short names that resolve to the numeric application identifiers.
SHORT_NAMES = {
    "gtin": "01",
    "sscc": "00",
    "gln": "414",
    "party": "417",
    "gdti": "253",
    "gcn": "255",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
    "itip": "8006",
    "cpid": "8010",
    "gsrnp": "8017",
    "gsrn": "8018",
    "lot": "10",
    "ser": "21",
    "cpsn": "8011",
    "glnx": "254",
}
# Primary keys a Digital Link path may start with (the rest are qualifiers).
PRIMARY_KEYS = {
    "00",
    "01",
    "253",
    "255",
    "401",
    "402",
    "414",
    "417",
    "8003",
    "8004",
    "8006",
    "8010",
    "8017",
    "8018",
}


def check_digit(digits: str) -> str:
    """GS1 modulo-10 check digit: weights 3, 1, 3, ... from the rightmost digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _dl_escape(text: str) -> str:
    """A URN component (itself %-escaped) as a Digital Link path segment."""
    return quote(unquote(text), safe="'")


def _gtin(company: str, reference: str) -> str:
    body = reference[:1] + company + reference[1:]
    return body + check_digit(body)


def _with_check(digits: str) -> str:
    return digits + check_digit(digits)


def _sgtin(p: list[str]) -> str:
    return f"/01/{_gtin(p[0], p[1])}/21/{_dl_escape(p[2])}"


def _sscc(p: list[str]) -> str:
    return f"/00/{_with_check(p[1][:1] + p[0] + p[1][1:])}"


def _sgln(p: list[str]) -> str:
    path = f"/414/{_with_check(p[0] + p[1])}"
    if len(p) > 2 and p[2] != "0":
        path += f"/254/{_dl_escape(p[2])}"
    return path


def _pgln(p: list[str]) -> str:
    return f"/417/{_with_check(p[0] + p[1])}"


def _grai(p: list[str]) -> str:
    return f"/8003/{_with_check('0' + p[0] + p[1])}{_dl_escape(p[2])}"


def _giai(p: list[str]) -> str:
    return f"/8004/{p[0]}{_dl_escape(p[1])}"


def _gsrn(p: list[str]) -> str:
    return f"/8018/{_with_check(p[0] + p[1])}"


def _gsrnp(p: list[str]) -> str:
    return f"/8017/{_with_check(p[0] + p[1])}"


def _gdti(p: list[str]) -> str:
    return f"/253/{_with_check(p[0] + p[1])}{_dl_escape(p[2]) if len(p) > 2 else ''}"


def _sgcn(p: list[str]) -> str:
    return f"/255/{_with_check(p[0] + p[1])}{_dl_escape(p[2]) if len(p) > 2 else ''}"


def _cpi(p: list[str]) -> str:
    return f"/8010/{p[0]}{_dl_escape(p[1])}/8011/{p[2]}"


def _ginc(p: list[str]) -> str:
    return f"/401/{p[0]}{_dl_escape(p[1])}"


def _gsin(p: list[str]) -> str:
    return f"/402/{_with_check(p[0] + p[1])}"


def _itip(p: list[str]) -> str:
    return f"/8006/{_gtin(p[0], p[1])}{p[2]}{p[3]}/21/{_dl_escape(p[4])}"


def _upui(p: list[str]) -> str:
    return f"/01/{_gtin(p[0], p[1])}/235/{_dl_escape(p[2])}"


def _lgtin(p: list[str]) -> str:
    return f"/01/{_gtin(p[0], p[1])}/10/{_dl_escape(p[2])}"


def _gtin_class(p: list[str]) -> str:
    return f"/01/{_gtin(p[0], p[1])}"


def _grai_class(p: list[str]) -> str:
    return f"/8003/{_with_check('0' + p[0] + p[1])}"


def _gdti_class(p: list[str]) -> str:
    return f"/253/{_with_check(p[0] + p[1])}"


def _sgcn_class(p: list[str]) -> str:
    return f"/255/{_with_check(p[0] + p[1])}"


def _cpi_class(p: list[str]) -> str:
    return f"/8010/{p[0]}{_dl_escape(p[1])}"


def _itip_class(p: list[str]) -> str:
    return f"/8006/{_gtin(p[0], p[1])}{p[2]}{p[3]}"


# (URN scheme, kind) -> (number of dot-separated parts, Digital Link path builder).
URN_SCHEMES = {
    ("id", "sgtin"): (3, _sgtin),
    ("id", "sscc"): (2, _sscc),
    ("id", "sgln"): (3, _sgln),
    ("id", "pgln"): (2, _pgln),
    ("id", "grai"): (3, _grai),
    ("id", "giai"): (2, _giai),
    ("id", "gsrn"): (2, _gsrn),
    ("id", "gsrnp"): (2, _gsrnp),
    ("id", "gdti"): (3, _gdti),
    ("id", "sgcn"): (3, _sgcn),
    ("id", "cpi"): (3, _cpi),
    ("id", "ginc"): (2, _ginc),
    ("id", "gsin"): (2, _gsin),
    ("id", "itip"): (5, _itip),
    ("id", "upui"): (3, _upui),
    ("class", "lgtin"): (3, _lgtin),
    ("idpat", "sgtin"): (3, _gtin_class),
    ("idpat", "grai"): (3, _grai_class),
    ("idpat", "gdti"): (3, _gdti_class),
    ("idpat", "sgcn"): (3, _sgcn_class),
    ("idpat", "cpi"): (3, _cpi_class),
    ("idpat", "itip"): (5, _itip_class),
}
URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.+)$")


def urn_to_digital_link(urn: str) -> str | None:
    """The Digital Link of an EPC URN, or None when `urn` is not one we know."""
    match = URN.match(urn)
    if not match:
        return None
    scheme = URN_SCHEMES.get((match[1], match[2]))
    if scheme is None:
        return None
    count, build = scheme
    parts = match[3].split(".", count - 1)
    if len(parts) != count:
        return None
    if match[1] == "idpat" and parts[-1] != "*":
        return None
    try:
        return DL_HOST + build(parts)
    except (IndexError, ValueError):
        return None


def digital_link_canonical(uri: str) -> str | None:
    """A GS1 Digital Link on any host as its canonical `id.gs1.org` form, or None.

    Short names become numeric application identifiers, the query string (data
    attributes) is dropped: CBV 2.0 identifies the thing by its key path only.
    """
    parts = urlsplit(uri)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    segments = [s for s in parts.path.split("/") if s]
    for start in range(len(segments)):
        first = SHORT_NAMES.get(segments[start], segments[start])
        if first in PRIMARY_KEYS and (len(segments) - start) % 2 == 0:
            pairs = segments[start:]
            out = []
            for i in range(0, len(pairs), 2):
                ai = SHORT_NAMES.get(pairs[i], pairs[i])
                if not ai.isdigit():
                    return None
                out += [ai, pairs[i + 1]]
            return DL_HOST + "/" + "/".join(out)
    return None


@lru_cache(maxsize=65536)
def canonical_uri(text: str) -> str:
    """EPC URNs and Digital Links in canonical Digital Link form; other text unchanged.

    Cached: one capture reads each lot's LGTIN several times (hash, mapping, index)."""
    if text.startswith("urn:epc:"):
        return urn_to_digital_link(text) or text
    if text.startswith(("http://", "https://")) and "/" in text[8:]:
        return digital_link_canonical(text) or text
    return text
