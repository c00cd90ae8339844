"""Set-based writers for loads of many rows: COPY on PostgreSQL, executemany on SQLite.

They bypass the ORM (no save(), no signals, no auto_now): the caller supplies every column,
in database form (JSON as text, timestamps already adapted for the backend). Both must run
inside the caller's `transaction.atomic`, so a failed load leaves nothing behind.
"""

from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.db import connection, models

SQLITE_CHUNK = 5_000


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("bulk writes must run inside transaction.atomic")


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def bulk_insert(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert rows (tuples in the order of `columns`); returns how many were written."""
    return table_insert(_table(model), columns, rows)


def table_insert(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert rows into a table by its (quoted) name, a temporary one say: COPY on PostgreSQL."""
    _require_transaction()
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        return _copy(f"COPY {table} ({names}) FROM STDIN", rows)
    marks = ", ".join(["%s"] * len(columns))
    return _executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _copy(sql: str, rows: Iterable[tuple[Any, ...]]) -> int:
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _executemany(sql: str, rows: Iterable[tuple[Any, ...]]) -> int:
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, SQLITE_CHUNK)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def reserve_ids(model: type[models.Model], n: int) -> int:
    """The first of n consecutive primary keys nobody else will use; the caller inserts them.

    The high-water mark is the larger of max(id) and the id counter (rows may have been written
    with explicit ids, or the counter may be ahead after deletes), and the counter is moved past
    the block, so the ORM never hands out a reserved id. On PostgreSQL an EXCLUSIVE lock (reads
    go on, other writers of the table wait until the caller's transaction ends) keeps anyone
    from taking an id in between; SQLite already serialises writers.
    """
    _require_transaction()
    table = _table(model)
    column = model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        counter, mark = _id_counter(cursor, model._meta.db_table, column)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {table}")
        first = max(int(cursor.fetchone()[0]), mark) + 1
        if n > 0:
            _id_counter_set(cursor, model._meta.db_table, counter, first + n - 1)
    return first


def _id_counter(cursor: Any, table: str, column: str) -> tuple[str, int]:
    """(the sequence's name, its last value) on PostgreSQL; (table, sqlite_sequence) on SQLite."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(pg_sequence_last_value(%s::regclass), 0)", [sequence])
        return sequence, int(cursor.fetchone()[0])
    cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
    return table, int(cursor.fetchone()[0])


def _id_counter_set(cursor: Any, table: str, counter: str, last: int) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT setval(%s, %s)", [counter, last])
        return
    cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])


def whole_table_reads() -> None:
    """Settings for statements over a province's million rows, to the end of the caller's
    transaction (PostgreSQL): sorts and hashes in memory instead of spilling to disk, no JIT
    (compiling these plain scans cost more than it saved, measured), and cursors planned to be
    read to the end rather than for their first rows."""
    _require_transaction()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
