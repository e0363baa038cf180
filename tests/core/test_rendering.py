"""The API's JSON is orjson's, with the values JSON has no type for in Django's forms."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from reetrace.core.rendering import json_bytes


def test_masses_times_and_lazy_text_read_as_the_standard_encoder_writes_them():
    document = {
        "kg": Decimal("1234.500000"),
        "made_at": datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=UTC),
        "period": date(2025, 3, 1),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "label": gettext_lazy("stock"),
        "name": "包头稀土 \u00e9",
        7: "an integer key",
    }
    expected = json.loads(json.dumps(document, cls=DjangoJSONEncoder))
    assert json.loads(json_bytes(document)) == expected
    assert json.loads(json_bytes(document))["made_at"] == "2025-03-01T08:30:15.123Z"
    assert json.loads(json_bytes(document))["kg"] == "1234.500000"


def test_an_integer_beyond_64_bits_is_still_encoded():
    assert json.loads(json_bytes({"mg": 2**70})) == {"mg": 2**70}
