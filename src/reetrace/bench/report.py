"""The benchmark results as a table: each figure beside its baseline and their ratio."""

from __future__ import annotations

from rich.table import Table


def _ratio(a, b) -> str:
    return f"{a / b:.1%}" if a and b else "-"


def report_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(measure, figure, baseline, ratio) rows; figures carry their units."""
    steps, rows = results["steps"], []
    raw = steps.get("raw", {}).get("rows_per_s")
    if "raw" in steps:
        rows.append(
            (
                "raw write of the event rows (" + steps["raw"]["method"] + ")",
                f"{raw:,.0f} rows/s",
                "-",
                "100%",
            )
        )
    ceiling = steps.get("rows", {}).get("events_per_s")
    if "rows" in steps:
        r = steps["rows"]
        rows.append(
            (
                f"the ledger's own rows written raw ({r['method']}, {r['rows']:,} rows)",
                f"{ceiling:,.0f} events/s" if ceiling else "-",
                f"{raw:,.0f} rows/s" if raw else "-",
                _ratio(ceiling, raw),
            )
        )
    for key, label in (
        ("bulk", "bulk load through the ledger rules"),
        ("api", "API ingest, 1000-event batches over HTTP"),
    ):
        if key in steps:
            rate = steps[key]["events_per_s"]
            rows.append(
                (
                    label,
                    f"{rate:,.0f} events/s",
                    f"{raw:,.0f} rows/s" if raw else "-",
                    _ratio(rate, raw),
                )
            )
            if ceiling:
                rows.append(
                    (
                        f"{label}, against the ledger's rows raw",
                        f"{rate:,.0f} events/s",
                        f"{ceiling:,.0f} events/s",
                        _ratio(rate, ceiling),
                    )
                )
    if "epcis" in steps:
        epcis = steps["epcis"]
        events = f"{epcis['events']:,} {epcis['scale']} events"
        rows.append(
            (
                f"EPCIS 2.0 capture of {events} over HTTP, against the own API",
                f"{epcis['epcis_events_per_s']:,.0f} events/s",
                f"{epcis['api_events_per_s']:,.0f} events/s",
                _ratio(epcis["epcis_events_per_s"], epcis["api_events_per_s"]),
            )
        )
        peer = epcis["peer"]
        rows.append(
            (
                f"EPCIS 2.0 capture of {events} in process, against QU4RTET quartet-epcis "
                "(1.2 XML, in process)",
                f"{epcis['epcis_in_process_events_per_s']:,.0f} events/s",
                f"{peer['events_per_s']:,.0f} events/s" if peer.get("ran") else "not run",
                _ratio(epcis["epcis_in_process_events_per_s"], peer["events_per_s"])
                if peer.get("ran")
                else peer["why"][:60],
            )
        )
    genealogy = steps.get("genealogy", {})
    for direction in ("up", "down"):
        g = genealogy.get(direction)
        if g:
            rows.append(_trace_row(f"nearest {genealogy.get('limit', '?')} lots", direction, g))
            full = g.get("full") or {}
            if full.get("lots"):
                rows.append(_trace_row(f"whole closure, {full['lots']} lots", direction, full))
    rows += _load_rows(steps.get("load"))
    if "balance" in steps:
        b = steps["balance"]
        rows.append(
            (
                "mass balance, all enterprises, whole year",
                f"{b['seconds']:.2f} s",
                f"{b['bare_group_by_seconds']:.2f} s (bare GROUP BY)",
                f"{b['ratio']:.2f}x",
            )
        )
    rows += _scale_rows(steps)
    rows += _page_rows(steps.get("pages"))
    return rows


def _page_rows(pages: dict | None) -> list[tuple[str, str, str, str]]:
    """Per role and page: p50 / p95 server time and HTML size beside the bare query."""
    rows = []
    for p in (pages or {}).get("pages", []):
        bare = p["bare_p50_ms"]
        over = "" if p["within_budget"] else " OVER BUDGET"
        rows.append(
            (
                f"page {p['page']} as {p['user']} ({p['bytes'] / 1000:,.0f} KB){over}",
                f"{p['p50_ms']:,.1f} / {p['p95_ms']:,.1f} ms",
                f"{bare:,.2f} ms (bare query)" if bare is not None else "-",
                f"{p['p50_ms'] / bare:,.0f}x" if bare else "-",
            )
        )
    return rows


def _scale_rows(steps: dict) -> list[tuple[str, str, str, str]]:
    """The lake export beside COPY, and Spark beside the database (steps lake, spark)."""
    rows = []
    if "lake" in steps:
        x = steps["lake"]
        rows.append(
            (
                f"lake export, Parquet ({x['rows']:,} rows, {x['bytes'] / 1e6:,.1f} MB)",
                f"{x['rows_per_s']:,} rows/s",
                f"{x['copy_rows_per_s']:,} rows/s (bare COPY TO, {x['copy_bytes'] / 1e6:,.1f} MB)",
                f"{x['ratio']:.2f}x time",
            )
        )
    if "spark" in steps:
        x = steps["spark"]
        rows.append(
            (
                f"mass balance on Spark {x['master']}, {x['balance_lines']:,} lines "
                f"(first run {x['balance_spark_cold_seconds']:.1f} s)",
                f"{x['balance_spark_seconds']:.2f} s",
                f"{x['balance_database_seconds']:.2f} s (database)",
                f"{x['balance_spark_seconds'] / x['balance_database_seconds']:.2f}x",
            )
        )
        if x.get("recompute_database_seconds"):
            one_core = x.get("recompute_database", {}).get("one_core")
            rows.append(
                (
                    "flow summary recomputed from the postings on Spark (balance's job)",
                    f"{x['curve'][0]['seconds']:.2f} s",
                    f"{x['recompute_database_seconds']:.2f} s (the same on PostgreSQL"
                    + (f"; {one_core['seconds']:.2f} s on one core)" if one_core else ")"),
                    f"{x['curve'][0]['seconds'] / x['recompute_database_seconds']:.2f}x",
                )
            )
        d = x["detection"]
        rows.append(
            (
                f"detection, {len(x['detection_rules'])} ported rules, on Spark",
                f"{d['spark']['seconds']:.2f} s ({d['spark']['alerts']} alerts)",
                f"{d['database']['seconds']:.2f} s ({d['database']['alerts']} alerts, database)",
                f"{d['spark']['seconds'] / d['database']['seconds']:.2f}x",
            )
        )
        base = x["curve"][0]
        for point in x["curve"]:
            rows.append(
                (
                    f"flow summary on Spark, postings x{point['times']} ({point['postings']:,})",
                    f"{point['seconds']:.2f} s ({point['us_per_posting']:.2f} us/posting)",
                    f"{base['seconds']:.2f} s (x1)",
                    f"{point['seconds'] / base['seconds']:.2f}x",
                )
            )
    return rows


def _trace_row(bound: str, direction: str, g: dict) -> tuple[str, str, str, str]:
    return (
        f"genealogy {direction}stream ({bound}), p50 / p99",
        f"{g['p50_ms']:.2f} / {g['p99_ms']:.2f} ms",
        f"{g['bare_p50_ms']:.2f} / {g['bare_p99_ms']:.2f} ms (bare recursive query)",
        f"{g['ratio_p50']:.2f}x / {g['ratio_p99']:.2f}x",
    )


_LOAD_LABELS = {
    "me": "/me",
    "stock": "the enterprise's stock",
    "genealogy": "a lot's genealogy, upstream",
    "write": "a {batch}-event batch written",
}


def _load_rows(load: dict | None) -> list[tuple[str, str, str, str]]:
    """Per concurrency level and request kind: latency and rate beside /health at the
    same concurrency, the ratio of the p99s."""
    rows = []
    for level, kinds in (load or {}).get("levels", {}).items():
        health = kinds["health"]
        baseline = f"{_latency(health)}, {health['requests_per_s']:,.0f} req/s (/health)"
        for kind, label in _LOAD_LABELS.items():
            if kind in kinds:
                k = kinds[kind]
                rows.append(
                    (
                        f"HTTP load, {level} clients: {label.format(batch=load['write_batch'])}",
                        f"{_latency(k)}, {k['requests_per_s']:,.1f} req/s, {k['errors']} errors",
                        baseline,
                        f"{k['p99_ms'] / health['p99_ms']:.1f}x p99",
                    )
                )
    return rows


def _latency(figures: dict) -> str:
    return f"p50 {figures['p50_ms']:.1f} / p99 {figures['p99_ms']:.1f} ms"


def report_table(results: dict) -> Table:
    table = Table(title=f"reetrace bench: scale {results['scale']}, {results['database']}")
    for column in ("measure", "figure", "baseline", "ratio"):
        table.add_column(column)
    for row in report_rows(results):
        table.add_row(*row)
    return table


def report_markdown(results: dict) -> str:
    lines = ["| measure | figure | baseline | ratio |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in report_rows(results)]
    return "\n".join(lines)
