"""Watch-list import and fuzzy screening, Latin and Chinese, with the 50% rule."""

from __future__ import annotations

import pytest

from reetrace.core.errors import ReetraceError
from reetrace.exportcontrol.models import ScreeningHit, WatchListEntry
from reetrace.exportcontrol.services.applications import application_create
from reetrace.exportcontrol.services.screening import name_score, screen_name, watchlist_import
from tests.exportcontrol.helpers import application_body, cst, documents_upload, walk

pytestmark = pytest.mark.django_db

ENTRIES = """name,aliases,country,list,listed_since
Rocket Dynamics Ltd.,RD Ltd;Rocket Dyn,US,Entity List,2024-03-01
北方导弹研究院有限公司,Northern Missile Institute,CN,Watch List,2023-01-15
"""
OWNERSHIP = """owner,owned,percent,owned_country
Rocket Dynamics Ltd.,Motoren Holding GmbH,30
Northern Missile Institute,Motoren Holding GmbH,25
"""


def _load():
    return watchlist_import(
        entries_csv=ENTRIES,
        ownership_csv=OWNERSHIP.replace("Northern Missile Institute", "北方导弹研究院有限公司"),
    )


def test_import_upserts_entries_and_links():
    assert _load() == {"created": 2, "updated": 0, "ownership_links": 2}
    assert _load() == {"created": 0, "updated": 2, "ownership_links": 2}
    entry = WatchListEntry.objects.get(name="Rocket Dynamics Ltd.")
    assert entry.aliases == ["RD Ltd", "Rocket Dyn"]
    assert str(entry.listed_since) == "2024-03-01"


def test_latin_names_match_despite_legal_form_and_word_order():
    _load()
    (hit,) = screen_name("Dynamics Rocket Co., Limited")
    assert (hit.entry.name, hit.via, hit.score) == ("Rocket Dynamics Ltd.", "name", 100)
    assert name_score("Rocket Dynamics", "Pocket Dynamite") < 85


def test_chinese_names_match_without_the_company_suffix():
    _load()
    (hit,) = screen_name("北方导弹研究院")
    assert hit.entry.list_name == "Watch List" and hit.score == 100
    (near,) = screen_name("北方导弹研究所", min_score=80)
    assert 80 <= near.score < 100


def test_fifty_percent_rule_flags_an_affiliate_owned_by_listed_parties():
    _load()
    hits = screen_name("Motoren Holding GmbH")
    assert {h.entry.name for h in hits} == {"Rocket Dynamics Ltd.", "北方导弹研究院有限公司"}
    assert all("owned 55" in h.via for h in hits)


def test_exactly_fifty_percent_owned_by_listed_parties_is_a_hit():
    watchlist_import(
        entries_csv=ENTRIES,
        ownership_csv=OWNERSHIP.replace(
            "Northern Missile Institute", "北方导弹研究院有限公司"
        ).replace(",25", ",20"),
    )
    hits = screen_name("Motoren Holding GmbH")
    assert len(hits) == 2 and all("owned 50.000% by listed parties" in h.via for h in hits)


def test_just_under_fifty_percent_is_not_a_hit():
    watchlist_import(
        entries_csv=ENTRIES,
        ownership_csv=OWNERSHIP.replace(
            "Northern Missile Institute", "北方导弹研究院有限公司"
        ).replace(",25", ",19.99"),
    )
    assert screen_name("Motoren Holding GmbH") == []


def test_an_affiliate_below_fifty_percent_is_not_a_hit():
    watchlist_import(
        entries_csv=ENTRIES,
        ownership_csv=OWNERSHIP.splitlines()[0] + "\n" + OWNERSHIP.splitlines()[1] + "\n",
    )
    assert screen_name("Motoren Holding GmbH") == []


def test_bad_csv_is_refused_and_changes_nothing():
    with pytest.raises(ReetraceError, match="lacks the columns"):
        watchlist_import(entries_csv="name,country\nX,US\n")
    with pytest.raises(ReetraceError, match="line 2: listed_since 'yesterday'"):
        watchlist_import(entries_csv="name,aliases,country,list,listed_since\nX,,US,L,yesterday\n")
    assert not WatchListEntry.objects.exists()


def test_submission_screens_the_parties(world):
    _load()
    body = application_body(world, end_user={"name": "Rocket Dynamics Limited", "country": "US"})
    application = application_create(
        actor=world.user_for(world.magnet_maker), data=body, now=cst(2025, 4, 20)
    )
    documents_upload(world, application)
    walk(world, application, [("submit", cst(2025, 4, 21))])
    (hit,) = ScreeningHit.objects.filter(application=application)
    assert (hit.party, hit.entry.name, hit.score) == ("end_user", "Rocket Dynamics Ltd.", 100)
