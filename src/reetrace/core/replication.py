"""How far the read replica is behind the primary, for the admin status page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, connections

from reetrace.core.routing import REPLICA, replica_configured


@dataclass
class ReplicaStatus:
    configured: bool
    reachable: bool = False
    in_recovery: bool | None = None
    lag_seconds: float | None = None  # since the last replayed transaction's commit
    lag_bytes: int | None = None  # WAL the primary wrote that the replica has not replayed
    senders: list[dict] | None = None  # the primary's view (pg_stat_replication)
    error: str = ""


def replica_status() -> ReplicaStatus:
    """The replica's recovery state and lag in seconds and bytes (None where unknown)."""
    if not replica_configured():
        return ReplicaStatus(configured=False)
    status = ReplicaStatus(configured=True)
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), "
                "pg_last_wal_replay_lsn()::text"
            )
            status.in_recovery, lag, replayed = cursor.fetchone()
        status.reachable = True
        status.lag_seconds = float(lag) if lag is not None else None
        with connections["default"].cursor() as cursor:
            if replayed:
                cursor.execute(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)::bigint", [replayed]
                )
                status.lag_bytes = max(int(cursor.fetchone()[0]), 0)
            cursor.execute(
                "SELECT application_name, client_addr::text, state, "
                "EXTRACT(EPOCH FROM replay_lag) FROM pg_stat_replication"
            )
            status.senders = [
                {"name": n, "address": a, "state": s, "replay_lag_seconds": r}
                for n, a, s, r in cursor.fetchall()
            ]
    except DatabaseError as exc:
        status.error = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    return status
