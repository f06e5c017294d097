"""The head of an agency's audit chain as documents print it: the chain's name, its latest
entry's hash and its length (the latest sequence number), read in one statement.

Each government (top-level agency) has its own chain (signings/services/audit.py); the recap
and the archives print the head of the chain that holds the agency's records, so a verifier
can match it against a signed checkpoint of that chain (signings/services/checkpoints.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from signings.models import Agency, AuditEntry
from signings.models.audit import GENESIS_HASH
from signings.services.audit import chain_for


@dataclass(frozen=True)
class ChainHead:
    chain: str
    entry_hash: str  # GENESIS_HASH for an empty chain
    count: int  # entries in the chain: sequence numbers run 1..count without gaps


def current_head(*, agency: Agency) -> ChainHead:
    """The head of the chain that vouches for `agency`'s records now."""
    chain = chain_for(agency)
    latest = (AuditEntry.objects.filter(chain=chain).order_by("-seq")
              .values_list("seq", "entry_hash").first())
    if latest is None:
        return ChainHead(chain=chain, entry_hash=GENESIS_HASH, count=0)
    return ChainHead(chain=chain, entry_hash=latest[1], count=latest[0])
