"""Lot traceability codes: `RT` + 12 characters + an ISO 7064 MOD 37-36 check character.

The check character catches a mistyped or misread character (any single
substitution and most transpositions) before the code reaches the database; the
alphabet of generated codes leaves out I and O, which people confuse with 1 and 0.
"""

from __future__ import annotations

import re
import secrets

from stdnum.iso7064 import mod_37_36

from reetrace.core.errors import ErrorCode, ReetraceError

PREFIX = "RT"
BODY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BODY_LENGTH = 12
_SHAPE = re.compile(r"^RT[0-9A-Z]{13}$")


def lot_code_from_body(body: str) -> str:
    stem = PREFIX + body
    return stem + mod_37_36.calc_check_digit(stem)


def lot_code_new() -> str:
    return lot_code_from_body("".join(secrets.choice(BODY_ALPHABET) for _ in range(BODY_LENGTH)))


def lot_code_from_number(number: int) -> str:
    """A deterministic code for a serial number (the synthetic chain uses this)."""
    body = []
    for _ in range(BODY_LENGTH):
        number, digit = divmod(number, len(BODY_ALPHABET))
        body.append(BODY_ALPHABET[digit])
    return lot_code_from_body("".join(reversed(body)))


def lot_code_validate(raw: str, *, field: str = "lot") -> str:
    code = (raw or "").strip().upper().replace("-", "").replace(" ", "")
    if not _SHAPE.match(code):
        raise ReetraceError(
            ErrorCode.LOT_CODE_INVALID,
            f"lot code {raw!r} must be 'RT' followed by 13 letters or digits",
            field=field,
        )
    expected = mod_37_36.calc_check_digit(code[:-1])
    if code[-1] != expected:
        raise ReetraceError(
            ErrorCode.LOT_CODE_INVALID,
            f"lot code {code}: check character is {code[-1]!r}, expected {expected!r} "
            "(a character is mistyped)",
            field=field,
        )
    return code
