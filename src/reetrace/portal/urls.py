"""Portal pages (server-rendered, one role-aware navigation)."""

from __future__ import annotations

urlpatterns: list = []
