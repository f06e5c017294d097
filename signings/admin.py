"""The Django admin: for administrators (superusers), never a side door around the evidence.

Every registered admin is either read-only or saves and deletes through a service that writes
the audit entry (tests/test_admin_audit.py walks them all). What an administrator needs here,
per model:

- Agencies: written here only (there is no other screen for the government tree), through
  `services.agencies`.
- User accounts, passwords and roles: written here only, through `services.accounts` and
  `services.roles` (grant and revoke; a role is never edited in place). Groups and model
  permissions are not used by Pakta (access comes from role assignments), so the Group admin
  is removed and the user form does not offer them.
- Login lockouts (django-axes): an administrator lifts one by deleting the attempt, through
  `services.accounts.clear_lockout`. The access logs are read-only.
- Employees: through `services.roster`, the same service as the HR console.
- Events, expected signers, attendance outcomes, templates, tablets: read-only. Their rules
  (a reopened event needs a reason and leaves a status-change row, a signed template never
  changes, a closed event is frozen) live in the HR console, which administrators may use
  everywhere; "Lihat di situs" opens the object there.
- Evidence (signatures, status changes, the audit log, archives, background tasks): read-only.
"""

from __future__ import annotations

from typing import Any

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from signings import models as m
from signings.errors import PaktaError
from signings.forms.accounts import AccountChangeForm, AccountCreationForm
from signings.services import accounts, agencies, roles, roster
from signings.services.context import AuditContext

# Refusals a service may raise from an admin save or delete: shown as a message, never a 500.
SERVICE_ERRORS = (PaktaError,)


class NoWrites:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    """For records that are evidence or have rules: viewable here, changed only elsewhere."""


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through services; subclasses say which (create/update/remove).

    The admin's own transaction wraps each view, so a service refusal rolls everything back;
    it then reaches the administrator as a message on the same page.
    """

    def create(self, *, obj, request, context: AuditContext) -> Any:
        raise NotImplementedError

    def update(self, *, obj, request, context: AuditContext) -> Any:
        raise NotImplementedError

    def remove(self, *, obj, request, context: AuditContext) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        write = self.update if change else self.create
        write(obj=obj, request=request, context=AuditContext.from_request(request))

    def delete_model(self, request, obj):
        self.remove(obj=obj, request=request, context=AuditContext.from_request(request))

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: one service call per object, all or nothing.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def _refused(self, request, error):
        self.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_ERRORS as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except SERVICE_ERRORS as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            # Bulk actions: Django's own log of the deletions goes with them or not at all.
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except SERVICE_ERRORS as error:
            return self._refused(request, error)


def _console(url_name: str, **kwargs):
    """A "Lihat di situs" link to the page of the HR console that edits the object."""

    def view_on_site(self, obj):
        return reverse(url_name, kwargs={key: getattr(obj, attr) for key, attr in kwargs.items()})

    return view_on_site


admin.site.site_header = _("Administrasi Pakta")
admin.site.site_title = _("Pakta")


# --- Accounts, roles, lockouts --------------------------------------------------------------

User = get_user_model()
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
if admin.site.is_registered(User):
    admin.site.unregister(User)


class RoleAssignmentInline(ReadOnlyInline):
    model = m.RoleAssignment
    fields = ["role", "agency", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("peran (diberikan dan dicabut di Peran pengguna)")


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Data pribadi"), {"fields": ("first_name", "last_name", "email")}),
        (_("Hak akses"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Tanggal penting"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    filter_horizontal = []
    inlines = [RoleAssignmentInline]

    def create(self, *, obj, request, context):
        return accounts.create_account(user=obj, context=context)

    def update(self, *, obj, request, context):
        return accounts.update_account(user=obj, context=context)

    def remove(self, *, obj, request, context):
        accounts.delete_account(user=obj, context=context)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        # Django's view saves the form itself; the valid case is redone here so the password
        # goes through the service. Everything else (GET, errors, refusals) stays Django's.
        user = self.get_object(request, unquote(id))
        if request.method != "POST" or user is None or not self.has_change_permission(
            request, user
        ):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data["set_usable_password"]
        if not usable and "unset-password" not in request.POST:
            return super().user_change_password(request, id, form_url)
        accounts.set_password(user=user, password=form.cleaned_data["password1"] if usable
                              else None, context=AuditContext.from_request(request))
        self.log_change(request, user, self.construct_change_message(request, form, None))
        messages.success(request, gettext("Password changed successfully.") if usable
                         else gettext("Password-based authentication was disabled."))
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))


@admin.register(m.RoleAssignment)
class RoleAssignmentAdmin(ServiceAdmin):
    list_display = ["user", "role", "agency", "created_at"]
    list_filter = ["role", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]

    def has_change_permission(self, request, obj=None):
        # A role is granted or revoked, never edited: each is one audit entry.
        return False

    def create(self, *, obj, request, context):
        assignment = roles.grant_role(user=obj.user, role=obj.role, agency=obj.agency,
                                      context=context)
        obj.pk, obj.created_at = assignment.pk, assignment.created_at
        return assignment

    def remove(self, *, obj, request, context):
        roles.revoke_role(assignment=obj, context=context)


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        admin.site.unregister(model)

    @admin.register(AccessAttempt)
    class AccessAttemptAdmin(ServiceAdmin, axes_admin.AccessAttemptAdmin):
        # Deleting an attempt lifts the lockout it caused; nothing else is written here.
        actions = []

        def has_change_permission(self, request, obj=None):
            return False

        def remove(self, *, obj, request, context):
            accounts.clear_lockout(attempt=obj, context=context)

    @admin.register(AccessLog)
    class AccessLogAdmin(ReadOnlyAdmin, axes_admin.AccessLogAdmin):
        pass

    @admin.register(AccessFailureLog)
    class AccessFailureLogAdmin(ReadOnlyAdmin, axes_admin.AccessFailureLogAdmin):
        pass


# --- Organisation and roster ----------------------------------------------------------------

@admin.register(m.Agency)
class AgencyAdmin(ServiceAdmin):
    list_display = ["name", "code", "kind", "parent", "city", "timezone"]
    list_filter = ["kind", "timezone"]
    search_fields = ["name", "code", "short_name", "city"]
    autocomplete_fields = ["parent", "head"]
    readonly_fields = ["path", "depth"]

    def create(self, *, obj, request, context):
        return agencies.create_agency(agency=obj, context=context)

    def update(self, *, obj, request, context):
        return agencies.update_agency(agency=obj, context=context)

    def remove(self, *, obj, request, context):
        agencies.delete_agency(agency=obj, context=context)


@admin.register(m.Employee)
class EmployeeAdmin(ServiceAdmin):
    list_display = ["display_name", "nip", "category", "position", "grade", "echelon", "agency",
                    "is_active"]
    list_filter = ["category", "echelon", "is_active", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "nip", "nik", "staff_number", "position"]
    autocomplete_fields = ["agency", "superior"]
    list_select_related = ["agency"]
    # Exactly the fields the roster service audits, plus what the NIP determines.
    fields = [name.removesuffix("_id") for name in roster.EDITABLE_FIELDS] + ["birth_date", "sex"]
    readonly_fields = ["birth_date", "sex"]
    view_on_site = _console("hr:employee_edit", pk="pk")

    def create(self, *, obj, request, context):
        return roster.create_employee(employee=obj, context=context)

    def update(self, *, obj, request, context):
        return roster.update_employee(employee=obj, context=context)

    def remove(self, *, obj, request, context):
        roster.delete_employee(employee=obj, context=context)


# --- Templates and events: edited in the HR console -----------------------------------------

class PactTemplateVersionInline(ReadOnlyInline, admin.StackedInline):
    model = m.PactTemplateVersion
    fields = ["number", "title", "election", "content_hash", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(m.PactTemplate)
class PactTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "agency", "created_at"]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    inlines = [PactTemplateVersionInline]
    view_on_site = _console("hr:template_detail", pk="pk")


@admin.register(m.PactTemplateVersion)
class PactTemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "title", "election", "content_hash", "created_at"]
    list_filter = ["template", "election"]
    search_fields = ["title", "template__name", "election", "content_hash"]
    view_on_site = _console("hr:version_preview", pk="pk")


class ExpectedSignerInline(ReadOnlyInline):
    model = m.ExpectedSigner
    fields = ["employee", "added_at"]
    readonly_fields = fields


@admin.register(m.SigningEvent)
class SigningEventAdmin(ReadOnlyAdmin):
    """Opening, closing and reopening (with its reason) happen on the HR event page."""

    list_display = ["title", "agency", "date", "kind", "status", "template_version"]
    list_filter = ["status", "kind", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "venue", "agency__name"]
    date_hierarchy = "date"
    view_on_site = _console("hr:event_detail", pk="pk")


@admin.register(m.EventStatusChange)
class EventStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["event", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["event__title", "reason"]


@admin.register(m.ExpectedSigner)
class ExpectedSignerAdmin(ReadOnlyAdmin):
    list_display = ["employee", "event", "added_at"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter), "employee__category"]
    search_fields = ["employee__name", "employee__nip", "event__title"]
    list_select_related = ["employee", "event"]
    # The birth-date verifier stays out of sight: it is what a guesser would start from.
    exclude = ["birth_salt", "birth_verifier", "verifier_birth_date"]
    view_on_site = _console("hr:event_expected", pk="event_id")


@admin.register(m.AttendanceOutcome)
class AttendanceOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["employee", "event", "status", "reason", "recorded_by", "recorded_at"]
    list_filter = ["status", "reason", ("event__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee__name", "employee__nip", "event__title"]
    list_select_related = ["employee", "event"]
    view_on_site = _console("hr:event_live", pk="event_id")


@admin.register(m.KioskDevice)
class KioskDeviceAdmin(ReadOnlyAdmin):
    list_display = ["name", "event", "paired_at", "last_seen_at", "revoked_at"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter),
                   ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "event__title"]
    exclude = ["token_hash", "pairing_code_hash"]
    view_on_site = _console("kiosk:devices", event_pk="event_id")


@admin.register(m.UnitMapping)
class UnitMappingAdmin(ReadOnlyAdmin):
    # Written from the import preview, where the officer sees the file's unit names.
    list_display = ["source_name", "unit", "agency", "updated_at"]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["source_name", "unit__name"]


@admin.register(m.ColumnMapping)
class ColumnMappingAdmin(ReadOnlyAdmin):
    # Written from the import's column-mapping page, where the header is at hand.
    list_display = ["agency", "signature", "default_category", "updated_at"]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["signature"]


@admin.register(m.IdentityLock)
class IdentityLockAdmin(ReadOnlyAdmin):
    """Unlocking is an officer's action on the live view (audited), not an admin edit."""

    list_display = ["employee", "event", "attempts", "locked_at", "unlocked_at", "unlocked_by"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter),
                   ("locked_at", admin.EmptyFieldListFilter)]
    search_fields = ["employee__name", "employee__nip", "event__title"]
    list_select_related = ["employee", "event", "unlocked_by"]
    view_on_site = _console("hr:event_live", pk="event_id")


@admin.register(m.IdentityAttempt)
class IdentityAttemptAdmin(ReadOnlyAdmin):
    list_display = ["attempt_id", "employee", "event", "device", "wrong", "received_at"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee__name", "event__title", "attempt_id"]
    list_select_related = ["employee", "event", "device"]


# --- Evidence ---------------------------------------------------------------------------------

@admin.register(m.Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["employee", "event", "method", "signed_at", "voided_at", "verification_code",
                    "seal_status"]
    list_filter = ["method", "seal_status", ("event__agency", admin.RelatedOnlyFieldListFilter),
                   "employee__category", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["employee__name", "employee__nip", "verification_code", "event__title"]
    list_select_related = ["employee", "event"]
    date_hierarchy = "signed_at"
    view_on_site = _console("audit:signature_detail", pk="pk")


@admin.register(m.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "chain", "seq", "action", "actor_label", "object_repr", "agency",
                    "ip_address"]
    list_filter = ["chain", "action", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["action", "actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(m.AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["chain", "seq", "head_hash", "made_at", "timestamped_at", "storage_prefix"]
    list_filter = ["chain"]
    date_hierarchy = "made_at"


@admin.register(m.ArchiveJob)
class ArchiveJobAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agency", "event", "status", "attempts", "heartbeat_at",
                    "requested_by", "created_at"]
    list_filter = ["status", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["agency__name", "event__title", "requested_by__username"]


@admin.register(m.BknReportJob)
class BknReportJobAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agency", "event", "status", "expected", "non_signers",
                    "requested_by", "created_at"]
    list_filter = ["status", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["agency__name", "event__title", "requested_by__username"]


@admin.register(m.SealCertificate)
class SealCertificateAdmin(ReadOnlyAdmin):
    list_display = ["subject", "serial", "not_before", "not_after", "first_used_at",
                    "last_used_at"]
    search_fields = ["subject", "fingerprint", "serial"]
    exclude = ["der"]


@admin.register(m.EventRecap)
class EventRecapAdmin(ReadOnlyAdmin):
    list_display = ["event", "made_at", "verification_code", "chain_count", "sha256"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["event__title", "verification_code", "sha256"]
    list_select_related = ["event"]
    date_hierarchy = "made_at"
    view_on_site = _console("verify:signature", code="verification_code")


@admin.register(m.WitnessSignature)
class WitnessSignatureAdmin(ReadOnlyAdmin):
    list_display = ["witness", "signature", "method", "identity_method", "signed_at"]
    list_filter = ["method", "identity_method"]
    search_fields = ["witness__name", "witness__nip", "signature__verification_code"]
    list_select_related = ["witness", "signature__employee", "signature__event"]
    date_hierarchy = "signed_at"


@admin.register(m.WitnessLink)
class WitnessLinkAdmin(ReadOnlyAdmin):
    list_display = ["witness", "event", "created_at", "expires_at", "used_at"]
    search_fields = ["witness__name", "event__title"]
    list_select_related = ["witness", "event"]
    exclude = ["token_sha256"]

@admin.register(m.RecapCertifiedSignature)
class RecapCertifiedSignatureAdmin(ReadOnlyAdmin):
    list_display = ["recap", "signer_name", "signer_role", "signed_by", "signed_at", "sha256"]
    list_filter = [("recap__event__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["signer_name", "recap__event__title", "recap__verification_code", "sha256"]
    list_select_related = ["recap__event", "signed_by"]
    date_hierarchy = "signed_at"
