"""The admin's account forms, with the text check every Pakta form has: an officer's name is
printed in recaps."""

from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from signings.forms import CleanTextMixin


class AccountCreationForm(CleanTextMixin, AdminUserCreationForm):
    pass


class AccountChangeForm(CleanTextMixin, UserChangeForm):
    pass
