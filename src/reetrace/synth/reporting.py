"""Month ends: stock counts, write-offs that hide sales, and the monthly reports.

An honest enterprise closes the previous month between the 3rd and the 10th; a
late one closes after the 10th and types its month's events in late too; a
missing one never closes. Which it will be is drawn when the month starts, so
the events of that month already carry the late `recorded_at`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.synth.compositions import dec, grams, reo
from reetrace.synth.events import CST
from reetrace.synth.parties import Party

DEADLINE_DAY = 10


def next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def plan_month(g, period: date) -> None:
    """Decide, for every domestic enterprise, when (if ever) it closes `period`."""
    key = f"{period:%Y-%m}"
    low, high = g.cfg["reporting"]["close_day"]
    after = next_month(period)
    for party in g.cast.domestic():
        if g.fraud.roll("missing_report"):
            g.fraud.record(
                "missing_report",
                enterprise=party.identifier,
                period=key,
                magnitude=1,
                unit="report",
            )
            continue
        if g.fraud.roll("late_report"):
            days = g.fraud.rng.randint(3, 40)
            g.emit.late[(party.identifier, key)] = days
            closed = datetime(after.year, after.month, DEADLINE_DAY, 18, tzinfo=CST)
            closed += timedelta(days=days + 1)
            g.fraud.record(
                "late_report",
                enterprise=party.identifier,
                period=key,
                magnitude=(closed.date() - date(after.year, after.month, DEADLINE_DAY)).days,
                unit="days late",
            )
        else:
            day = g.rng.randint(low, min(high, DEADLINE_DAY))
            closed = datetime(after.year, after.month, day, g.rng.randint(9, 18), tzinfo=CST)
        g.closings.append(
            {
                "enterprise": party.identifier,
                "period": key,
                "closed_at": closed.isoformat(),
                "deadline": f"{after.year:04d}-{after.month:02d}-{DEADLINE_DAY:02d}",
            }
        )


def closings_due(g, until: datetime) -> list[dict]:
    """Closings whose time has come, in time order; the rest wait."""
    due = [c for c in g.closings if datetime.fromisoformat(c["closed_at"]) <= until]
    if due:
        g.closings = [c for c in g.closings if datetime.fromisoformat(c["closed_at"]) > until]
    return sorted(due, key=lambda c: (c["closed_at"], c["enterprise"]))


def month_end(g) -> None:
    """Stock counts: a hair up or down for honest holders, a write-off for a hider."""
    for party in g.cast.domestic():
        if not party.stock or party.role in (R.DOMESTIC_USER,):
            continue
        lot = _largest(party)
        if lot is None:
            continue
        if g.fraud.roll("hidden_sales_adjust"):
            _write_off(g, party, lot)
        elif g.rng.random() < g.cfg["reporting"]["stock_count_rate"]:
            delta = grams(lot.kg * dec(round(g.rng.uniform(-0.0005, 0.0005), 6)))
            if delta != 0:
                _count(g, party, lot, delta)


def _count(g, party: Party, lot, delta) -> None:
    """A month-end count; in the business profile some are entered with the wrong sign
    and replaced a month or two later (synth/business.py)."""
    fix_day = g.business.miscount(g) if g.business else None
    entered = -delta if fix_day is not None else delta
    event = g.emit.adjust(party, lot.code, entered, "stock_count", "month-end count")
    g.put("event", event)
    lot.kg += entered
    if fix_day is not None:
        g.business.fix_on(fix_day, party, lot, event["event_id"], delta)


def _largest(party: Party):
    lots = [h for hs in party.stock.values() for h in hs if h.kg > 1]
    return max(lots, key=lambda h: h.kg) if lots else None


def _write_off(g, party: Party, lot) -> None:
    loss = grams(lot.kg * dec(round(g.fraud.uniform(0.15, 0.4), 3)))
    event = g.emit.adjust(party, lot.code, -loss, "process_loss", "process loss at stock count")
    g.put("event", event)
    lot.kg -= loss
    g.fraud.record(
        "hidden_sales_adjust",
        enterprise=party.identifier,
        period=g.period,
        lots=[lot.code],
        events=[event["event_id"]],
        magnitude=reo(loss, lot.comp),
        unit="kg REO",
        kg=loss,
    )
