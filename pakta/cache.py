"""The database cache, with counters that hold across processes.

Rate limits count with `cache.add(key, 0, window)` then `cache.incr(key)`. Redis increments
atomically and keeps the key's expiry. Django's DatabaseCache inherits `incr` from BaseCache: a
`get` then a `set`, so two gunicorn workers counting at once both write the same number (a hit
lost), and the `set` replaces the window's expiry with the default timeout. Here `incr` locks
the row, adds and writes the value back in one transaction, leaving `expires` alone; `add`
locks an expired row first, so two workers cannot both start a new window on it.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db), connection.cursor() as cursor:
            row = self._locked_row(connection, cursor, key, "value")
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            value = connection.ops.process_clob(row[0])
            new_value = pickle.loads(base64.b64decode(value.encode(), validate=True)) + delta  # noqa: S301
            pickled = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
            quote_name = connection.ops.quote_name
            cursor.execute(
                f"UPDATE {quote_name(self._table)} SET {quote_name('value')} = %s "  # noqa: S608
                f"WHERE {quote_name('cache_key')} = %s",
                [pickled.decode("latin1"), key],
            )
        return new_value

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # Django's add replaces an expired row in place; with the row locked, a second
            # worker adding at the same moment waits, then finds the fresh window and leaves it.
            self._locked_row(connection, cursor, self.make_and_validate_key(key, version=version),
                             "cache_key")
            return bool(super().add(key, value, timeout, version))

    def _locked_row(self, connection: Any, cursor: Any, key: str, column: str) -> Any:
        quote_name = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(
            f"SELECT {quote_name(column)}, {quote_name('expires')} "  # noqa: S608
            f"FROM {quote_name(self._table)} WHERE {quote_name('cache_key')} = %s{lock}",
            [key],
        )
        return cursor.fetchone()

    @staticmethod
    def _expired(connection: Any, expires: Any) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in (connection.ops.get_db_converters(expression)
                          + expression.get_db_converters(connection)):
            expires = converter(expires, expression, connection)
        return bool(expires < now())
