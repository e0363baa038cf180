"""Capture's queries go by index on PostgreSQL, and the setting never outlives a capture."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from reetrace.ledger.capture import keyed_plans

pytestmark = pytest.mark.django_db


def _seqscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return cursor.fetchone()[0]


def test_index_lookups_only_inside_a_capture(postgres_only):
    with transaction.atomic(), keyed_plans():
        assert _seqscan() == "off"
    assert _seqscan() == "on"


def test_a_refused_capture_leaves_the_setting_as_it_was(postgres_only):
    with pytest.raises(ValueError), transaction.atomic(), keyed_plans():
        assert _seqscan() == "off"
        raise ValueError("refused")
    assert _seqscan() == "on"
