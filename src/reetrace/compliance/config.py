"""The rules' parameters: config.toml in this app, read once, with per-call overrides."""

from __future__ import annotations

import tomllib
from copy import deepcopy
from functools import cache
from pathlib import Path
from typing import Any

CONFIG_PATH = Path(__file__).with_name("config.toml")


@cache
def _defaults() -> dict[str, Any]:
    with CONFIG_PATH.open("rb") as handle:
        return tomllib.load(handle)


def rule_params(rule: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The parameters of one rule: the file's defaults updated with `overrides`."""
    params = deepcopy(_defaults().get(rule, {}))
    params.update(overrides or {})
    return params


def risk_weights() -> dict[str, Any]:
    return deepcopy(_defaults()["risk"])
