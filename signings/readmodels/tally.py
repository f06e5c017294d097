"""The four counts with their words, for pages and files that print them side by side."""

from __future__ import annotations

from collections.abc import Mapping

from signings.models import Tally


def labelled(counts: Mapping[str, int]) -> list[dict]:
    """[{"key": "expected", "label": "Diharapkan", "value": 12}, ...] in the `Tally` order."""
    return [{"key": tally.value, "label": tally.label, "value": counts[tally.value]}
            for tally in Tally]
