"""Reads of alerts, runs, cases and risk, always scoped to the actor.

National roles see every alert; an enterprise user sees only the alerts about
its own enterprise that the regulator shared with it, and never risk scores or
cases (the API refuses those by permission; these selectors refuse them too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from reetrace.accounts.models import User
from reetrace.compliance import rules
from reetrace.compliance.checks.quotas import COLUMNS, limits_kg, quota_totals
from reetrace.compliance.choices import AlertStatus
from reetrace.compliance.config import risk_weights, rule_params
from reetrace.compliance.mass_balance import balance_report
from reetrace.compliance.models import Alert, Case, CaseAttachment, DetectionRun
from reetrace.core.access import own_enterprise_only, visible_to
from reetrace.core.errors import Forbidden, NotFound
from reetrace.registry.models import Enterprise, Quota


def alerts_visible(*, actor: User) -> QuerySet[Alert]:
    """Every alert for national roles; an enterprise's own once shared with it."""
    return visible_to(
        actor,
        Alert.objects.select_related("enterprise"),
        own=lambda enterprise: Q(enterprise_id=enterprise, shared_with_enterprise=True),
    )


def alerts_filter(
    *,
    actor: User,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    enterprise: str | None = None,
    period: date | None = None,
) -> QuerySet[Alert]:
    """Alerts the actor may see, narrowed by the given filters."""
    alerts = alerts_visible(actor=actor)
    if rule:
        alerts = alerts.filter(rule=rule)
    if severity:
        alerts = alerts.filter(severity=severity)
    if status:
        alerts = alerts.filter(status=status)
    if enterprise:
        alerts = alerts.filter(enterprise__identifier=enterprise)
    if period:
        alerts = alerts.filter(period=period)
    return alerts


def alert_visible(*, actor: User, alert_id: int) -> Alert:
    """One alert, or 404 when it does not exist or the actor may not see it."""
    alert = alerts_visible(actor=actor).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("alert", str(alert_id))
    return alert


def _national(actor: User) -> None:
    if not actor.scope.every_enterprise:
        raise Forbidden("cases, runs and risk scores are for national roles")


def run_visible(*, actor: User, run_id: int) -> DetectionRun:
    _national(actor)
    run = DetectionRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound("detection run", str(run_id))
    return run


def cases_visible(*, actor: User) -> QuerySet[Case]:
    _national(actor)
    return Case.objects.select_related("assignee", "opened_by")


def case_visible(*, actor: User, case_id: int) -> Case:
    case = cases_visible(actor=actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound("case", str(case_id))
    return case


def risk_ranking(*, actor: User, limit: int = 100) -> list[dict]:
    """Enterprises by risk score (severity x rule weight over live alerts), highest first."""
    _national(actor)
    weights = risk_weights()
    rows = (
        Alert.objects.exclude(status=AlertStatus.DISMISSED)
        .values("enterprise_id", "rule", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_enterprise: dict[int, list[tuple[str, str]]] = defaultdict(list)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        per_enterprise[row["enterprise_id"]] += [(row["rule"], row["severity"])] * row["n"]
        counts[row["enterprise_id"]][row["severity"]] += row["n"]
    scores = {
        pk: rules.risk_score(
            pairs, severity_weights=weights["severity"], rule_weights=weights["rules"]
        )
        for pk, pairs in per_enterprise.items()
    }
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    names = Enterprise.objects.in_bulk([pk for pk, _ in ranked])
    return [
        {
            "rank": n + 1,
            "enterprise": names[pk].identifier,
            "name": names[pk].display_name,
            "score": round(score, 2),
            "alerts": dict(counts[pk]),
        }
        for n, (pk, score) in enumerate(ranked)
    ]


def balance_lines(
    *,
    actor: User,
    enterprise: str | None = None,
    start: date | None = None,
    end: date | None = None,
    element: str | None = None,
) -> list[dict]:
    """The mass balance report (compliance/mass_balance.py) the actor may see.

    National roles: the named enterprise, or every enterprise. An enterprise user:
    its own enterprise only (naming another one is refused).
    """
    from reetrace.core.errors import ErrorCode, ReetraceError
    from reetrace.registry.elements import ELEMENTS

    if element is not None and element not in ELEMENTS:
        raise ReetraceError(ErrorCode.INVALID, f"{element!r} is not an element", field="element")
    if start and end and start > end:
        raise ReetraceError(ErrorCode.INVALID, "from is after to", field="from")
    ids: set[int] | None = None
    if enterprise:
        found = Enterprise.objects.filter(identifier=enterprise).first()
        if found is None:
            raise NotFound("enterprise", enterprise, field="enterprise")
        ids = {found.pk}
    own = own_enterprise_only(actor, "the mass balance")
    if own is not None:
        if ids is not None and ids != {own}:
            raise Forbidden("an enterprise user sees only its own enterprise's balance")
        ids = {own}
    return balance_report(enterprise_ids=ids, start=start, end=end, element=element)


def analyst_get(*, username: str) -> User:
    """A user who may work cases (the assignee of a case), or an error naming the field."""
    from reetrace.core.errors import ErrorCode, ReetraceError
    from reetrace.core.permissions import Permission

    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound("user", username, field="assignee")
    if not user.has_permission(Permission.COMPLIANCE_CASE_MANAGE):
        raise ReetraceError(
            ErrorCode.INVALID, f"{username} may not work compliance cases", field="assignee"
        )
    return user


def alerts_for_case(*, actor: User, alert_ids: list[int]) -> list[Alert]:
    """The alerts a case is opened from, all of them or a 404 naming the missing one."""
    found = alerts_visible(actor=actor).in_bulk(alert_ids)
    missing = [str(pk) for pk in alert_ids if pk not in found]
    if missing:
        raise NotFound("alert", ", ".join(missing), field="alerts")
    return [found[pk] for pk in dict.fromkeys(alert_ids)]


def attachment_of(case: Case, file_id: int) -> CaseAttachment:
    """An attachment of a case the caller already may see (`case_visible`)."""
    found = case.attachments.filter(pk=file_id).first()
    if found is None:
        raise NotFound("attachment", str(file_id))
    return found


QUOTA_UNIT = "kg REO"


@dataclass(frozen=True)
class QuotaUse:
    """One column (light or medium/heavy) of a quota: used against allowed, and its status.

    `status` is `ok`, `warning` (from [quota_usage] `warn_at` of the quota: shown,
    not alerted) or `overrun` (beyond `alert_at`: the quota_usage alert fires).
    `percent` is None for a zero quota, where any use is an overrun.
    """

    quota: Quota
    group: str
    used_kg: float
    quota_kg: float
    percent: float | None
    status: str
    unit: str = QUOTA_UNIT


def quota_use(*, actor: User, year: int) -> list[QuotaUse]:
    """Each quota of the year the actor may see, per column, ordered by quota code.

    National roles see every quota, an enterprise user its own. The use is the
    quota check's own rows summed per quota (`checks/quotas.py` `quota_totals`, the
    totals of `quota_uses`), so the status here and the overrun alerts agree.
    """
    quotas = Quota.objects.filter(year=year).select_related("enterprise").order_by("code")
    own = own_enterprise_only(actor, "quota use")
    if own is not None:
        quotas = quotas.filter(enterprise_id=own)
    quotas = {q.pk: q for q in quotas}
    totals = quota_totals(list(quotas))
    params = rule_params("quota_usage")
    rows = []
    for pk, quota in quotas.items():
        used = totals.get(pk, dict.fromkeys(COLUMNS, 0.0))
        for column, limit in limits_kg(quota).items():
            status = rules.quota_level(
                used[column], limit, warn_at=params["warn_at"], alert_at=params["alert_at"]
            )
            percent = round(100 * used[column] / limit, 1) if limit > 0 else None
            rows.append(QuotaUse(quota, column, round(used[column], 3), limit, percent, status))
    return rows
