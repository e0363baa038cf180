"""What the trace pages ask of the apps built on trace, and who answers.

- `LABEL_LINKS`, called by `trace.views.lot_label`: the URI a lot label's QR code
  carries. With none plugged in it is the public verification page; the EPCIS app
  plugs in the lot's GS1 Digital Link (`epcis.digital_link`), which resolves to that
  same page, so that any GS1 scanner reads the label as an LGTIN.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from reetrace.core.plugins import PlugPoint
from reetrace.ledger.models import Lot

__all__ = ["LABEL_LINKS", "LabelLink"]

# The absolute URI to encode for `lot`, or None to leave it to the next plug-in.
LabelLink = Callable[[HttpRequest, Lot], str | None]

LABEL_LINKS: PlugPoint[LabelLink] = PlugPoint("label links", caller="trace.views.lot_label")
