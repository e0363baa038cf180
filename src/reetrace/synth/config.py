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
