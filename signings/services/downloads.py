"""Every download of personal documents leaves a line in the audit log (who, what, when)."""

from __future__ import annotations

from django.db import models, transaction

from signings.models import Agency
from signings.services import audit
from signings.services.context import AuditContext


def log_download(*, kind: str, obj: models.Model | None, agency: Agency,
                 details: dict | None = None, context: AuditContext) -> None:
    with transaction.atomic():
        audit.record(action=f"audit.download.{kind}", obj=obj, agency=agency,
                     details=details or {}, context=context)
