"""Fast inserts for the capture engine: raw multi-row INSERTs with pre-assigned keys.

Django's bulk_create spends most of its time building SQL per row. Capture
inserts append-only rows whose values are already validated, so it reserves
primary keys itself (a sequence on PostgreSQL; MAX(id) under SQLite's write
lock, which the IMMEDIATE transaction holds), converts each field once per
value with the field's own `get_db_prep_save`, and sends plain `executemany`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from reetrace.core.quantities import KilogramField, MassFractionField

_MAX_PARAMETERS = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535


def keys_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`, safe inside the capture transaction."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def rows_insert(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """Insert unsaved instances; their parents must already carry primary keys."""
    if not rows:
        return
    fields = model._meta.concrete_fields
    relations = [(f.name, f.attname) for f in fields if f.is_relation]
    primary = model._meta.pk.attname
    for row, key in zip(rows, keys_reserve(model, len(rows)), strict=True):
        # Plain attribute writes: the model's descriptors cost more than the insert.
        found = row.__dict__
        found[primary] = key
        cached = row._state.fields_cache
        for name, attname in relations:
            parent = cached.get(name)
            if parent is not None:
                found[attname] = parent.pk
    connection = connections[DEFAULT_DB_ALIAS]
    values = _row_values(fields, connection)
    _rows_write(model, [f.column for f in fields], [values(r) for r in rows])
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


def tuples_insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows given as column values already in database form, keys reserved here.

    For the ledger's most numerous rows (postings, lot elements, links) building a
    model instance per row cost more than writing it.
    """
    if not rows:
        return
    keys = keys_reserve(model, len(rows))
    primary = model._meta.pk.column
    _rows_write(
        model, [primary, *columns], [(key, *row) for key, row in zip(keys, rows, strict=True)]
    )


def _rows_write(model: type[models.Model], columns: Sequence[str], rows: Sequence) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The raw psycopg cursor: its errors become Django's (IntegrityError) here.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            _values_insert(cursor, table, names, len(columns), rows)


def _values_insert(cursor, table, columns, width: int, rows: Sequence) -> None:
    """Multi-row INSERT ... VALUES, as many rows per statement as parameters allow."""
    row_marks = "(" + ", ".join(["%s"] * width) + ")"
    per_statement = max(1, _MAX_PARAMETERS // width)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        params = [value for row in chunk for value in row]
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row_marks] * len(chunk)),
            params,
        )


# Fields whose Python value is already what the database driver takes.
_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.ForeignKey,
    models.IntegerField,
    models.SmallIntegerField,
)


def _row_values(fields, connection):
    """A function turning an instance into its column values, with per-field converters
    chosen once per model (Django's generic `get_db_prep_save` per value is slow)."""
    getters: list[tuple[str, Callable[[Any], Any] | None]] = []
    for f in fields:
        if isinstance(f, KilogramField | MassFractionField):
            getters.append((f.attname, f.get_prep_value))
        elif isinstance(f, _AS_IS) and not isinstance(f, KilogramField | MassFractionField):
            getters.append((f.attname, None))
        else:
            getters.append((f.attname, partial(_prep, f, connection)))

    def values(row) -> list:
        found = row.__dict__
        return [
            found[attname] if convert is None else convert(found[attname])
            for attname, convert in getters
        ]

    return values


def _prep(field, connection, value):
    return field.get_db_prep_save(value, connection)
