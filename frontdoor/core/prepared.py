"""Queries of a fixed shape built and compiled by the ORM once, then run again with other
values: for the pages that ask the same few queries on every request (the inbox), where
building and compiling a query took longer than the database took to answer it.

`run(key, build, *values)` returns what `list(build(*values))` would (`build` returns a
`values_list()` query): the first time for `key`, it builds the query with marks in place
of the values (unusual numbers, strings, or lists of them, one per value), compiles it,
and finds each mark among the SQL's parameters; after that, it puts the values where the
marks were and sends the same SQL. `key` names everything about the query but `values`
(which branch of a filter, say): two queries that differ otherwise must have two keys. A
list's length is part of the key (a list may be as many parameters as it has items).

When a mark is not found as it was given (the database's adapter turned a date into
text, a lookup wrapped a text in % signs or escaped it) or is written into the SQL's
text, the query is not kept: it is built by the ORM every time, as if this module were
not there. So a value must reach the database as given, never changed on the way.
"""

import datetime
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet

# The first mark: far from any key of ours, within every integer column's range (the ORM
# turns a value out of a column's range into "no rows", which would hide the mark).
_FIRST_MARK = -1_987_000_000
_MOMENT = datetime.datetime(1901, 2, 3, 4, 5, 6, 789_123, tzinfo=datetime.UTC)


class _Statement:
    __slots__ = ("alias", "col_count", "converters", "params", "slots", "sql")

    def __init__(
        self,
        alias: str,
        sql: str,
        params: list[Any],
        slots: list[tuple[int, int, int | None]],
        converters: dict[int, Any],
        col_count: int,
    ) -> None:
        self.alias = alias
        self.sql = sql
        self.params = params
        # (parameter, value, item): parameter n is values[value] (or its item'th item).
        self.slots = slots
        self.converters = converters
        self.col_count = col_count


# A bound on what is kept (a statement is a few kilobytes): the inbox keeps one for each
# kind of filter used, a few dozen in a day; past this, the ORM builds every query.
MAX_KEPT = 2000
_statements: dict[tuple[Hashable, tuple[Any, ...]], _Statement | None] = {}
_lock = threading.Lock()


def _marks(values: Sequence[Any]) -> tuple[list[Any], dict[Any, tuple[int, int | None]]]:
    """A mark for each value, of its type, and where each mark (or item of one) came from."""
    marks: list[Any] = []
    found: dict[Any, tuple[int, int | None]] = {}
    n = _FIRST_MARK

    def mark(value: Any, where: tuple[int, int | None]) -> Any:
        nonlocal n
        n -= 1
        if isinstance(value, bool) or value is None:
            raise TypeError("a mark for True, False or None would not be found")
        if isinstance(value, int):
            made: Any = n
        elif isinstance(value, str):
            # With what a LIKE pattern escapes and both cases: a lookup that changes its
            # value on the way (contains, iexact on SQLite) changes the mark, which is then
            # not found, and the query not kept.
            made = f"\x1f%_\\Mark{n}\x1f"
        elif isinstance(value, datetime.datetime):
            made = _MOMENT + datetime.timedelta(seconds=-n)
        elif isinstance(value, datetime.date):
            made = datetime.date(1901, 1, 1) + datetime.timedelta(days=-n - 1_986_000_000)
        else:
            raise TypeError(f"no mark for a {type(value).__name__}")
        found[made] = where
        return made

    for index, value in enumerate(values):
        if isinstance(value, list | tuple):
            marked = [mark(item, (index, i)) for i, item in enumerate(value)]
            marks.append(marked)
            found[tuple(marked)] = (index, None)
        else:
            marks.append(mark(value, (index, None)))
    return marks, found


def _shape(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(len(v) if isinstance(v, list | tuple) else type(v).__name__ for v in values)


def _compile(build: Callable[..., QuerySet[Any]], values: Sequence[Any]) -> _Statement | None:
    marks, where = _marks(values)
    query = build(*marks)
    compiler = query.query.get_compiler(using=query.db)
    try:
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet):
        return None
    # A mark written into the SQL itself (as LIMIT is) would be sent as it is: not kept.
    if any(str(mark) in sql for mark in where if not isinstance(mark, tuple)):
        return None
    params = list(params)
    slots: list[tuple[int, int, int | None]] = []
    for n, param in enumerate(params):
        try:
            key = tuple(param) if isinstance(param, list | tuple) else param
            source = where.get(key)
        except TypeError:  # not hashable: not a mark
            source = None
        if source is not None:
            slots.append((n, *source))
    # Every value must be somewhere (an empty list may be nowhere): item by item or the
    # list whole.
    placed = {value for _, value, _ in slots}
    needed = {n for n, v in enumerate(values) if not (isinstance(v, list | tuple) and not v)}
    if not needed <= placed:
        return None
    for _, value, item in slots:
        if item is not None and any(v == value and i is None for _, v, i in slots):
            return None
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    return _Statement(query.db, sql, params, slots, converters, compiler.col_count)


def run(
    key: Hashable,
    build: Callable[..., QuerySet[Any]],
    *values: Any,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Any, ...]]:
    """`list(build(*values))`, the query's SQL kept for `key` (see the module's words);
    with `limit`, `list(build(*values)[offset : offset + limit])`, the two numbers sent
    as parameters (the ORM writes them into the SQL). `build` must return an unsliced
    `values_list()` query (not flat, not named) whose shape depends on `key` alone; each
    value an int, a str, a date or datetime, or a list of them."""
    cache_key = (key, _shape(values))
    try:
        statement = _statements[cache_key]
    except KeyError:
        statement = _compile(build, values)
        if len(_statements) < MAX_KEPT:
            with _lock:
                _statements[cache_key] = statement
    if statement is None:
        query = build(*values)
        return list(query if limit is None else query[offset : offset + limit])
    connection = connections[statement.alias]
    params = list(statement.params)
    for n, value, item in statement.slots:
        params[n] = values[value] if item is None else values[value][item]
    sql = statement.sql
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: Any = cursor.fetchall()
    if statement.col_count < (len(rows[0]) if rows else 0):
        rows = [row[: statement.col_count] for row in rows]
    if statement.converters:
        compiler_rows = []
        for row in rows:
            row = list(row)
            for pos, (convs, expression) in statement.converters.items():
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
            compiler_rows.append(row)
        rows = compiler_rows
    return [tuple(row) for row in rows]
