"""Dashboard additions: quota use per element group on the national overview."""

from __future__ import annotations

from django.urls import reverse

from reetrace.accounts.permissions import UserRole as R
from tests.portal.conftest import signed_in

MARCH = {"start": "2025-03", "end": "2025-03", "element": "Dy"}


def test_the_overview_shows_quota_use_per_group(chain):
    page = signed_in(chain.users[R.REGULATOR]).get(reverse("portal:national"), MARCH)
    rows = {(r["quota"], str(r["group"])): r for r in page.context["tables"]["quota_use"].rows}
    mining = rows[("Q-2025-MINING-1", "medium and heavy")]
    assert mining["limit_t"] == 100 and 0 < mining["used_t"] < 1
    assert mining["share"].endswith("%")
    assert rows[("Q-2025-SEP-1", "light")]["used_t"] > 0
    assert "Quota use per group, 2025 (t REO)" in page.content.decode()


def test_customs_sees_no_quotas(chain):
    page = signed_in(chain.users[R.CUSTOMS_OFFICER]).get(reverse("portal:national"), MARCH)
    assert "quota_use" not in page.context["tables"]
