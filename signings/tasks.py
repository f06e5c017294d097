"""Background work, run by Django's tasks framework (database-backed worker by default).

Start a worker with `python manage.py db_worker`; `bin/run` starts one beside the server.
"""

from __future__ import annotations


def enqueue_signature_followups(signature_id: int) -> None:
    """Called after a signature commits. Each follow-up is its own task so one failure does not
    block the others."""
    # Rendering the signed pact PDF is registered here by the PDF module.
