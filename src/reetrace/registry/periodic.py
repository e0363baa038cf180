"""Element data beyond the rare earths, from the `periodictable` library (IUPAC
atomic weights), never a hand table.

A lot's composition may name any element of the periodic table (an Sm-Co magnet's
cobalt, an NdFeB magnet's iron and boron); only the 17 rare earths of `elements.py`
count for conservation, REO and quotas. For compounds the composition is still mass
fractions *as metal*, so a compound caps how much of an element it can hold: Dy2O3 is
87.13 % Dy, and an "oxide" of 99.5 % Dy is impossible.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import periodictable

from reetrace.registry.elements import ELEMENTS

__all__ = ["COMPOUNDS", "SYMBOLS", "ceiling", "compound_formula", "is_element"]

# Every element of the periodic table by symbol (number 0 is the library's neutron).
SYMBOLS: frozenset[str] = frozenset(e.symbol for e in periodictable.elements if e.number > 0)

# The compounds whose metal content is capped, and each rare earth's formula in them:
# the conventional oxide (CeO2, Pr6O11, Tb4O7 as traded), the normal carbonate
# RE2(CO3)3 and the trichloride RECl3.
COMPOUNDS = ("oxide", "carbonate", "chloride")


def is_element(symbol: str) -> bool:
    return symbol in SYMBOLS


def compound_formula(compound: str, element: str) -> str:
    if compound == "oxide":
        return ELEMENTS[element].oxide
    if compound == "carbonate":
        return f"{element}2(CO3)3"
    if compound == "chloride":
        return f"{element}Cl3"
    raise ValueError(f"{compound!r} is not one of {COMPOUNDS}")


@cache
def ceiling(compound: str, element: str) -> Decimal:
    """The highest mass fraction of a rare earth (as metal) in its pure `compound`,
    to 6 decimals: Dy in Dy2O3 -> 0.871321."""
    formula = periodictable.formula(compound_formula(compound, element))
    share = formula.mass_fraction[periodictable.elements.symbol(element)]
    return Decimal(str(round(share, 6)))
