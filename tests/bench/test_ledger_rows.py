"""The schema-limit baseline rewrites every ledger row raw and leaves the ledger as it was."""

from __future__ import annotations

import pytest

from reetrace.bench.steps.ledger_rows import LEDGER_MODELS, ledger_rows_baseline
from reetrace.ledger.chain import chain_verify
from reetrace.ledger.models import Event, Posting
from reetrace.synth.dataset import produce

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model._meta.db_table: model.objects.count() for model in LEDGER_MODELS}


def test_every_ledger_row_is_rewritten_and_rolled_back(tmp_path):
    produce(scale="tiny", seed=3, out=tmp_path, load=True)
    before = _counts()
    checked, broken = chain_verify()
    assert broken is None
    stock = sorted(Posting.objects.values_list("lot_id", "holder_id", "kg"))

    figures = ledger_rows_baseline()

    assert figures["events"] == before["ledger_event"] == Event.objects.count()
    assert figures["rows"] == sum(before.values())
    assert set(figures["per_table_s"]) == set(before)
    assert figures["seconds"] > 0 and figures["events_per_s"] > 0
    # nothing was lost or changed: same rows, same postings, an intact hash chain
    assert _counts() == before
    assert sorted(Posting.objects.values_list("lot_id", "holder_id", "kg")) == stock
    assert chain_verify() == (checked, None)
