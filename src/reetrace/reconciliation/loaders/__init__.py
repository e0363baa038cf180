"""Partner-file readers, one per format; each returns every row or every error."""

from __future__ import annotations

from reetrace.reconciliation.loaders import comext, comtrade, national
from reetrace.reconciliation.loaders.common import Parsed

__all__ = ["PARSERS", "Parsed"]

PARSERS = {"comext": comext.parse, "comtrade": comtrade.parse, "national": national.parse}
