"""The generator's parameters: config.toml, one scale picked, optional overrides.

Every number the generator uses comes from here, so that a figure docs/facts.md marks
UNCONFIRMED is changed in one file and tests can switch fraud off or on.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

SCALES = ("tiny", "small", "medium", "national")
# `reetrace generate --profile`: the default chain (with fraud), the same with every
# fraud rate 0, and an honest chain with the habits of real business (synth/business.py).
PROFILES = ("default", "honest", "business")


@dataclass(frozen=True)
class SynthConfig:
    scale_name: str
    scale: dict[str, Any]
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def volume_share(self) -> float:
        return float(self.scale["volume_share"])

    def fraud_rate(self, kind: str) -> float:
        return float(self.data["fraud"].get(kind, 0.0))


def _merge(base: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def load_config(scale: str = "tiny", overrides: dict | None = None) -> SynthConfig:
    """Read the packaged config.toml and apply `overrides` (nested dicts) on top."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    text = resources.files("reetrace.synth").joinpath("config.toml").read_text("utf-8")
    data = _merge(copy.deepcopy(tomllib.loads(text)), overrides or {})
    return SynthConfig(scale, data["scales"][scale], data)


def honest_overrides() -> dict:
    """Overrides that switch every fraud type off (an honest national chain)."""
    text = resources.files("reetrace.synth").joinpath("config.toml").read_text("utf-8")
    rates = tomllib.loads(text)["fraud"]
    return {"fraud": {k: 0.0 for k in rates if k != "guarantee_after"}}


def profile_overrides(profile: str) -> dict | None:
    """The overrides of a named profile (PROFILES); None for the default chain."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    if profile == "default":
        return None
    if profile == "honest":
        return honest_overrides()
    # Stock counts are where late corrections happen: three times the default rate
    # gives a tiny chain a few of them.
    return _merge(
        honest_overrides(),
        {"business": {"enabled": True}, "reporting": {"stock_count_rate": 0.15}},
    )
