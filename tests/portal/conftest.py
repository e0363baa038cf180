"""A traced chain for the portal tests: two mines, separation, metals, a magnet lot
exported to Germany and sold to a domestic user, all in March 2025."""

from __future__ import annotations

from django.test import Client

from tests.factories.chain import (  # noqa: F401  (re-exported for the portal tests)
    DY_OX,
    DYFE,
    MAGNET,
    PRND_METAL,
    PRND_OX,
    A,
    B,
    build_chain,
    export,
    new_lot,
    receive,
    ship,
    transform,
)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
