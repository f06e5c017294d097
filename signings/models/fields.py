from django.db import models

from signings import identity


class IdentityNumberField(models.CharField):
    """A NIP/NIK column that accepts what people type ("19800101 200501 1 001").

    `to_python` runs before length checks and validators, so typed separators are removed
    first; a value that cannot be normalised is passed through unchanged for the validator to
    explain what is wrong with it.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return identity.normalize_number(value) or None
        except identity.IdentityError:
            return value

    def formfield(self, **kwargs):
        # The form field must accept the typed length; the model field checks the real one.
        kwargs.setdefault("max_length", 40)
        return super().formfield(**kwargs)
