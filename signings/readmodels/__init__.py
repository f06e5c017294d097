"""Read models: figures and lists assembled for a page, a report or a PDF.

Nothing here writes. Each function runs a fixed number of queries whatever the size of the
event, and the counts all follow the one definition in `signings.models.event` (see
`ExpectedSignerQuerySet.with_state`). Writes live in `signings.services`.
"""
