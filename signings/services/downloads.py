"""Every download of personal documents leaves a line in the audit log (who, what, when)."""

from __future__ import annotations

from django.db import models, transaction

from signings.models import Agency
from signings.services import audit


def log_download(*, kind: str, obj: models.Model | None, agency: Agency, actor, request=None,
                 details: dict | None = None) -> None:
    with transaction.atomic():
        audit.record(action=f"audit.download.{kind}", obj=obj, actor=actor, agency=agency,
                     request=request, details=details or {})
