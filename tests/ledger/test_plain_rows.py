"""The rows capture writes as plain tuples name every column of their table."""

from __future__ import annotations

import pytest

from reetrace.ledger.capture.session import ELEMENT_COLUMNS, LINK_COLUMNS, POSTING_COLUMNS
from reetrace.ledger.models import LotElement, LotLink, Posting


@pytest.mark.parametrize(
    ("model", "columns"),
    [(LotElement, ELEMENT_COLUMNS), (Posting, POSTING_COLUMNS), (LotLink, LINK_COLUMNS)],
)
def test_plain_rows_cover_every_column_but_the_key(model, columns):
    # a column added to the model without a value here would be written empty
    table = {f.column for f in model._meta.concrete_fields} - {model._meta.pk.column}
    assert sorted(columns) == sorted(table)
