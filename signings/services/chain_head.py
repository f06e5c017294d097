"""The head of the audit chain as documents print it: the latest entry's hash and the number
of entries, read in one statement.

Isolated here on purpose: today there is one chain for the whole installation; with one chain
per top-level agency and signed checkpoints (issue 10, item 5) this becomes
`latest_checkpoint(chain_of(agency))`, and the recap and archives that print a head need no
other change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from signings.models import Agency, AuditEntry
from signings.models.audit import GENESIS_HASH


@dataclass(frozen=True)
class ChainHead:
    entry_hash: str  # GENESIS_HASH for an empty chain
    count: int


def current_head(*, agency: Agency) -> ChainHead:
    """The chain head that vouches for `agency`'s records now (one chain for all, for now)."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        # One statement, so the count and the hash describe the same moment of the chain.
        cursor.execute(f"SELECT count(*), (SELECT entry_hash FROM {table} "  # noqa: S608
                       f"ORDER BY id DESC LIMIT 1) FROM {table}")
        count, head = cursor.fetchone()
    return ChainHead(entry_hash=head or GENESIS_HASH, count=count)
