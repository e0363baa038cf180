"""Enterprise identifiers: the Chinese unified social credit code (GB 32100-2015).

python-stdnum computes the check character; this module adds the message a
person needs: which position is wrong and what was expected there.
"""

from __future__ import annotations

import pycountry
from stdnum.cn import uscc

from reetrace.core.errors import ErrorCode, ReetraceError

# GB 32100-2015 alphabet: digits and capitals without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_validate(raw: str, *, field: str = "uscc") -> str:
    """Return the normalised 18-character code or raise with the faulty position."""
    code = uscc.compact(raw or "")
    if len(code) != 18:
        raise ReetraceError(
            ErrorCode.IDENTIFIER_INVALID,
            f"unified social credit code {raw!r} has {len(code)} characters; 18 are required",
            field=field,
        )
    for position, char in enumerate(code, start=1):
        if char not in USCC_ALPHABET:
            raise ReetraceError(
                ErrorCode.IDENTIFIER_INVALID,
                f"unified social credit code {code}: character {position} is {char!r}, "
                f"which GB 32100-2015 does not use (I, O, Z, S, V are excluded)",
                field=field,
            )
    if not code[8:17].isalnum() or not code[2:8].isdigit():
        raise ReetraceError(
            ErrorCode.IDENTIFIER_INVALID,
            f"unified social credit code {code}: characters 3-8 must be the "
            "administrative division code (digits)",
            field=field,
        )
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise ReetraceError(
            ErrorCode.IDENTIFIER_INVALID,
            f"unified social credit code {code}: check character 18 is {code[17]!r}, "
            f"expected {expected!r}",
            field=field,
        )
    return code


def uscc_with_check(first17: str) -> str:
    """Complete a 17-character stem with its check character (for generators and tests)."""
    return first17 + uscc.calc_check_digit(first17)


def country_validate(raw: str, *, field: str = "country") -> str:
    """ISO 3166-1 alpha-2 code, upper-cased, or an error naming the field."""
    code = (raw or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ReetraceError(
            ErrorCode.COUNTRY_INVALID,
            f"{field} {raw!r} is not an ISO 3166-1 alpha-2 country code",
            field=field,
        )
    return code
