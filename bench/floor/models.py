from django.db import models


class FloorSignature(models.Model):
    """One row per request; no migrations: the benchmark creates it with migrate --run-syncdb."""

    submission_id = models.UUIDField(unique=True)
    employee_id = models.BigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    png = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.submission_id)
