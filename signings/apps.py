from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningsConfig(AppConfig):
    name = "signings"
    verbose_name = _("Penandatanganan pakta")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from signings import checks  # noqa: F401  (registers system checks)
