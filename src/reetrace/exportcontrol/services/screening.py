"""Screening parties against watch lists: fuzzy names in Latin and Chinese script,
and the 50% rule for affiliates owned by listed parties.

Names reach us transliterated, abbreviated and with legal suffixes ("Co., Ltd.",
"有限公司"), so an exact match would miss most real hits; a scored fuzzy match
shows the officer the entry and the score and leaves the decision to them.
difflib is used (no extra dependency); rapidfuzz would be faster on long lists.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone

from reetrace.core.csvtext import csv_records
from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.plugins import PlugPoint
from reetrace.exportcontrol.choices import ScreenedParty
from reetrace.exportcontrol.models import Application, Ownership, ScreeningHit, WatchListEntry
from reetrace.exportcontrol.policy import policy
from reetrace.registry.identifiers import country_validate

__all__ = [
    "Hit",
    "application_screen",
    "name_normalise",
    "name_score",
    "screen_name",
    "watchlist_import",
]

# Told of each watch-list load, in its transaction, with what it created and updated;
# the audit journal records the load.
WatchListLoaded = Callable[[dict[str, int]], None]
WATCHLIST_LOADS: PlugPoint[WatchListLoaded] = PlugPoint(
    "watch-list loads", caller="exportcontrol.services.screening.watchlist_import"
)

_LEGAL_SUFFIXES = re.compile(
    r"\b(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|ag|sa|"
    r"srl|bv|kg|kk|pte|pty|jsc|oao|ooo)\b"
)
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
_CJK = re.compile(r"[\u3400-\u9fff]")


def name_normalise(name: str) -> str:
    """Compatibility-fold, case-fold, drop punctuation and legal-form words."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    if _CJK.search(text):
        text = re.sub(r"[\s\W_]+", "", text)
        for suffix in _CJK_SUFFIXES:
            text = text.removesuffix(suffix)
        return text
    text = re.sub(r"[^\w\s]", " ", text)
    text = _LEGAL_SUFFIXES.sub(" ", text)
    return " ".join(text.split())


def name_score(a: str, b: str) -> int:
    """0..100: the better of a character match and a word-order-insensitive match."""
    left, right = name_normalise(a), name_normalise(b)
    if not left or not right:
        return 0
    direct = SequenceMatcher(None, left, right).ratio()
    sorted_words = SequenceMatcher(
        None, " ".join(sorted(left.split())), " ".join(sorted(right.split()))
    ).ratio()
    return round(max(direct, sorted_words) * 100)


@dataclass(frozen=True)
class Hit:
    entry: WatchListEntry
    matched_name: str
    score: int
    via: str

    def as_dict(self) -> dict:
        return {
            "list": self.entry.list_name,
            "entry": self.entry.name,
            "entry_country": self.entry.country,
            "listed_since": self.entry.listed_since,
            "matched_name": self.matched_name,
            "score": self.score,
            "via": self.via,
        }


def _best_name(name: str, entry: WatchListEntry) -> tuple[int, str]:
    return max(
        (name_score(name, candidate), candidate) for candidate in [entry.name, *entry.aliases]
    )


def screen_name(name: str, *, country: str = "", min_score: int | None = None) -> list[Hit]:
    """Listed parties (and parties owned >= 50% by them) whose name resembles `name`."""
    floor = policy().screening_min_score if min_score is None else min_score
    hits = []
    for entry in WatchListEntry.objects.all():
        score, matched = _best_name(name, entry)
        if score >= floor and (not country or not entry.country or entry.country == country):
            via = "name" if matched == entry.name else "alias"
            hits.append(Hit(entry, matched, score, via))
    hits += _ownership_hits(name, floor)
    return sorted(hits, key=lambda h: (-h.score, h.entry.name))


def _ownership_hits(name: str, floor: int) -> list[Hit]:
    owners: dict[str, list[Ownership]] = defaultdict(list)
    for link in Ownership.objects.select_related("owner"):
        if name_score(name, link.owned_name) >= floor:
            owners[link.owned_name].append(link)
    hits = []
    for owned, links in owners.items():
        total = sum((link.percent for link in links), Decimal(0))
        if total < policy().ownership_threshold_pct:
            continue
        score = name_score(name, owned)
        for link in links:
            via = f"owned {total}% by listed parties ({link.owner.name} {link.percent}%)"
            hits.append(Hit(link.owner, owned, score, via))
    return hits


@transaction.atomic
def application_screen(*, application: Application) -> list[ScreeningHit]:
    """Screen applicant, consignee and end user; the latest run replaces earlier hits."""
    parties = [
        (ScreenedParty.APPLICANT, application.applicant.display_name, "CN"),
        (ScreenedParty.CONSIGNEE, application.consignee_name, application.consignee_country),
        (ScreenedParty.END_USER, application.end_user_name, application.end_user_country),
    ]
    application.screening_hits.all().delete()
    now = timezone.now()
    rows = [
        ScreeningHit(
            application=application,
            party=party,
            screened_name=name,
            entry=hit.entry,
            matched_name=hit.matched_name,
            score=hit.score,
            via=hit.via,
            at=now,
        )
        for party, name, country in parties
        for hit in screen_name(name, country=country)
    ]
    return ScreeningHit.objects.bulk_create(rows)


def _read_csv(text: str, required: set[str], what: str) -> list[dict]:
    header, rows = csv_records(text, what=what)
    missing = required - set(header)
    if missing:
        raise ReetraceError(
            ErrorCode.INVALID, f"{what} CSV lacks the columns {sorted(missing)}", field=what
        )
    return rows


def _entry_row(row: dict, line: int) -> dict:
    where = f"line {line}"
    name = (row.get("name") or "").strip()
    if not name or not (row.get("list") or "").strip():
        raise ReetraceError(ErrorCode.INVALID, f"{where}: name and list are required", field="name")
    country = (row.get("country") or "").strip()
    if country:
        country = country_validate(country, field=f"{where}.country")
    since = (row.get("listed_since") or "").strip()
    try:
        listed = date.fromisoformat(since) if since else None
    except ValueError as exc:
        raise ReetraceError(
            ErrorCode.INVALID,
            f"{where}: listed_since {since!r} is not YYYY-MM-DD",
            field="listed_since",
        ) from exc
    aliases = [a.strip() for a in re.split(r"[;|]", row.get("aliases") or "") if a.strip()]
    return {
        "list_name": row["list"].strip(),
        "name": name,
        "country": country,
        "aliases": aliases,
        "listed_since": listed,
    }


@transaction.atomic
def watchlist_import(*, entries_csv: str, ownership_csv: str | None = None) -> dict[str, int]:
    """Upsert entries (name, aliases, country, list, listed_since) and ownership links."""
    rows = _read_csv(entries_csv, {"name", "aliases", "country", "list", "listed_since"}, "entries")
    created = updated = 0
    for line, row in enumerate(rows, start=2):
        data = _entry_row(row, line)
        _, made = WatchListEntry.objects.update_or_create(
            list_name=data["list_name"],
            name=data["name"],
            country=data["country"],
            defaults={"aliases": data["aliases"], "listed_since": data["listed_since"]},
        )
        created, updated = created + made, updated + (not made)
    links = _import_ownership(ownership_csv) if ownership_csv else 0
    counts = {"created": created, "updated": updated, "ownership_links": links}
    for listener in WATCHLIST_LOADS:
        listener.call(counts)
    return counts


def _import_ownership(text: str) -> int:
    rows = _read_csv(text, {"owner", "owned", "percent"}, "ownership")
    count = 0
    for line, row in enumerate(rows, start=2):
        owner = WatchListEntry.objects.filter(name=row["owner"].strip()).first()
        if owner is None:
            raise ReetraceError(
                ErrorCode.NOT_FOUND,
                f"ownership line {line}: owner {row['owner']!r} is not a watch-list entry",
                field="owner",
            )
        try:
            percent = Decimal(row["percent"].strip())
        except InvalidOperation as exc:
            raise ReetraceError(
                ErrorCode.INVALID,
                f"ownership line {line}: percent {row['percent']!r}",
                field="percent",
            ) from exc
        if not Decimal(0) < percent <= Decimal(100):
            raise ReetraceError(
                ErrorCode.INVALID,
                f"ownership line {line}: percent must be in (0, 100]",
                field="percent",
            )
        Ownership.objects.update_or_create(
            owner=owner,
            owned_name=row["owned"].strip(),
            defaults={
                "percent": percent,
                "owned_country": (row.get("owned_country") or "").strip(),
            },
        )
        count += 1
    return count
