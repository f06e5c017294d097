"""Forms of the officer console (django-crispy-forms, Bootstrap 5)."""

from django import forms
from django.utils.translation import gettext_lazy as _


def check_upload_size(upload, limit: int):
    """Refuse an upload over `limit` bytes with a sentence the officer can act on."""
    if upload.size > limit:
        raise forms.ValidationError(
            _("Berkas terlalu besar (%(size)d KB); maksimal %(max)d KB."),
            params={"size": upload.size // 1024, "max": limit // 1024},
            code="file.too_large",
        )
    return upload
