from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst

from signings import clock, identity, text


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


class CleanTextModel:
    """Model validation (ModelForms, the admin, `full_clean`) refuses in every CharField,
    TextField and JSON list of text what `signings.text` refuses, naming the field.

    A mixin, not a field option: it adds no migration and covers fields added later.
    """

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skipped = set(exclude or ()) | set(errors)
        for field in self._meta.concrete_fields:  # type: ignore[attr-defined]
            if field.name in skipped or not isinstance(field, TEXT_FIELDS):
                continue
            value = getattr(self, field.attname)
            items = value if isinstance(value, list) else [value]
            multiline = not isinstance(field, models.CharField)
            for item in items:
                char = (text.forbidden_character(item, multiline=multiline)
                        if isinstance(item, str) else None)
                if char is not None:
                    errors[field.name] = [ValidationError(
                        text.message(capfirst(field.verbose_name), char),
                        code="text.forbidden_character")]
                    break
        if errors:
            raise ValidationError(errors)


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def within_time_bounds(field: str, *, null: bool = True) -> Q:
    """Check-constraint condition: the time lies in [clock.EARLIEST, clock.LATEST), so no code
    path can store one Python cannot read back (PostgreSQL holds year 10000 and 1 BC)."""
    bounded = Q(**{f"{field}__gte": clock.EARLIEST, f"{field}__lt": clock.LATEST})
    return bounded | Q(**{f"{field}__isnull": True}) if null else bounded


def within_offset_limit(field: str) -> Q:
    limit = clock.OFFSET_LIMIT_SECONDS
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": -limit,
                                                  f"{field}__lte": limit})
