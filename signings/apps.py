from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningsConfig(AppConfig):
    name = "signings"
    verbose_name = _("Penandatanganan pakta")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for their side effects: system checks, and the tasks services enqueue by
        # name through signings.jobs.
        from signings import checks, tasks  # noqa: F401
