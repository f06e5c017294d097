"""Forms of the officer console (django-crispy-forms, Bootstrap 5).

Every form here is a `CleanTextForm` or `CleanTextModelForm`: each text field refuses the
characters `signings.text` refuses (tests/test_text_hygiene.py walks the modules to keep it
so).
"""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from signings import text


def check_upload_size(upload, limit: int):
    """Refuse an upload over `limit` bytes with a sentence the officer can act on."""
    if upload.size > limit:
        raise forms.ValidationError(
            _("Berkas terlalu besar (%(size)d KB); maksimal %(max)d KB."),
            params={"size": upload.size // 1024, "max": limit // 1024},
            code="file.too_large",
        )
    return upload


class CleanTextValidator:
    """A field validator: the text carries no character `signings.text` refuses."""

    def __init__(self, label, *, multiline: bool) -> None:
        self.label = label
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        char = text.forbidden_character(value, multiline=self.multiline)
        if char is not None:
            raise forms.ValidationError(text.message(self.label, char),
                                        code="text.forbidden_character")

    def __eq__(self, other) -> bool:
        return (isinstance(other, CleanTextValidator) and self.label == other.label
                and self.multiline == other.multiline)


class CleanTextMixin:
    """Give every CharField of the form the text check; a Textarea may hold line breaks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A password is never shown or printed: Django's own NUL check is its rule.
            if isinstance(field, forms.CharField) and not isinstance(field.widget,
                                                                     forms.PasswordInput):
                multiline = isinstance(field.widget, forms.Textarea)
                # Django's own NUL validator would answer first, in a sentence that does not
                # say which field: ours covers NUL too.
                field.validators = [
                    v for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [CleanTextValidator(field.label or name, multiline=multiline)]


class CleanTextForm(CleanTextMixin, forms.Form):
    pass


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    pass
