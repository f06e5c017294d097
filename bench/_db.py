"""What the benchmarks that make a throwaway database share. Not a benchmark itself."""

from __future__ import annotations

import psycopg2


def admin_sql(url: str, sql: str) -> None:
    """CREATE/DROP DATABASE on the server of `url`: they refuse to run in a transaction, so
    autocommit and no `with conn`."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()
