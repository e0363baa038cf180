"""The public verification page and the printable QR label."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from reetrace.ledger.models import Event
from tests.factories.world import code, mine_event


def test_verify_page_says_genuine_without_volumes(world):
    world.capture(world.miner, mine_event(1, kg="12345"))
    page = Client().get(f"/verify/{code(1)}").content.decode()
    assert "Genuine" in page and "Baotou Mining" in page and "2025-01" in page
    assert "12345" not in page and "Q-2025" not in page


def test_verify_page_flags_unknown_and_mistyped_codes(world):
    mistyped = code(1)[:-1] + ("0" if code(1)[-1] != "0" else "1")
    for candidate in (code(1), mistyped, "nonsense"):
        assert "Not found" in Client().get(f"/verify/{candidate}").content.decode()


def test_label_has_a_qr_code_pointing_to_the_verify_page(world):
    world.capture(world.miner, mine_event(1))
    client = Client()
    assert client.get(f"/lots/{code(1)}/label").status_code == 302  # login first
    client.force_login(world.user_for(world.miner))
    page = client.get(f"/lots/{code(1)}/label").content.decode()
    assert "<svg" in page and f"http://testserver/verify/{code(1)}" in page
    client.force_login(world.user_for(world.separator))
    assert client.get(f"/lots/{code(1)}/label").status_code == 404


def test_verify_page_shows_the_newest_checkpoint(world, settings, tmp_path):
    settings.REETRACE_CHECKPOINT_KEY = tmp_path / "key.pem"
    world.capture(world.miner, mine_event(1))
    call_command("chain", "keygen")
    call_command("chain", "checkpoint", "--out", str(tmp_path / "cp.json"))
    page = Client().get(f"/verify/{code(1)}").content.decode()
    head = Event.objects.get().chain_hash
    assert "Ledger checkpoint" in page and head in page
