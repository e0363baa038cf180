"""Enterprises and quotas as the API shows them."""

from __future__ import annotations

from reetrace.registry.models import Enterprise, Quota


def enterprise_out(e: Enterprise) -> dict:
    return {
        "identifier": e.identifier,
        "country": e.country,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "province": e.province,
        "group": e.group.code if e.group else None,
        "status": e.status,
        "roles": sorted(e.role_set()),
        "sites": [
            {"code": s.code, "name": s.name, "kind": s.kind, "province": s.province}
            for s in e.sites.all()
        ],
        "registered_at": e.registered_at,
    }


def quota_out(q: Quota) -> dict:
    return {
        "code": q.code,
        "enterprise": q.enterprise.identifier,
        "year": q.year,
        "kind": q.kind,
        "light_t": q.light_t,
        "medium_heavy_t": q.medium_heavy_t,
        "document": q.document,
    }
