from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from signings import models as m


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are evidence: viewable in the admin, changed only through services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "city", "timezone"]
    list_filter = ["kind", "timezone"]
    search_fields = ["name", "code", "short_name", "city"]
    autocomplete_fields = ["parent", "head"]
    readonly_fields = ["path", "depth"]


@admin.register(m.Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["display_name", "nip", "category", "position", "grade", "echelon", "agency",
                    "is_active"]
    list_filter = ["category", "echelon", "is_active", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "nip", "nik", "staff_number", "position"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    readonly_fields = ["birth_date", "sex"]


class PactTemplateVersionInline(admin.StackedInline):
    model = m.PactTemplateVersion
    extra = 0
    readonly_fields = ["content_hash"]
    show_change_link = True


@admin.register(m.PactTemplate)
class PactTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "created_at"]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    autocomplete_fields = ["agency"]


@admin.register(m.PactTemplateVersion)
class PactTemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "title", "election", "content_hash", "created_at"]
    list_filter = ["template", "election"]
    search_fields = ["title", "template__name", "election", "content_hash"]
    readonly_fields = ["content_hash"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return [f.name for f in obj._meta.fields]
        return super().get_readonly_fields(request, obj)


class ExpectedSignerInline(admin.TabularInline):
    model = m.ExpectedSigner
    extra = 0
    autocomplete_fields = ["employee"]


@admin.register(m.SigningEvent)
class SigningEventAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "date", "kind", "status", "template_version"]
    list_filter = ["status", "kind", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "venue", "agency__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["agency"]
    readonly_fields = ["opened_by", "opened_at", "closed_by", "closed_at", "created_by"]


@admin.register(m.EventStatusChange)
class EventStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["event", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["event__title", "reason"]


@admin.register(m.ExpectedSigner)
class ExpectedSignerAdmin(admin.ModelAdmin):
    list_display = ["employee", "event", "added_at"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter), "employee__category"]
    search_fields = ["employee__name", "employee__nip", "event__title"]
    autocomplete_fields = ["employee"]
    list_select_related = ["employee", "event"]


@admin.register(m.AttendanceOutcome)
class AttendanceOutcomeAdmin(admin.ModelAdmin):
    list_display = ["employee", "event", "status", "reason", "recorded_by", "recorded_at"]
    list_filter = ["status", "reason", ("event__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee__name", "employee__nip", "event__title"]
    autocomplete_fields = ["employee"]
    list_select_related = ["employee", "event"]


@admin.register(m.Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["employee", "event", "method", "signed_at", "voided_at", "verification_code"]
    list_filter = ["method", ("event__agency", admin.RelatedOnlyFieldListFilter),
                   "employee__category", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["employee__name", "employee__nip", "verification_code", "event__title"]
    list_select_related = ["employee", "event"]
    date_hierarchy = "signed_at"


@admin.register(m.KioskDevice)
class KioskDeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "paired_at", "last_seen_at", "revoked_at"]
    list_filter = [("event__agency", admin.RelatedOnlyFieldListFilter),
                   ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "event__title"]
    readonly_fields = ["token_hash", "pairing_code_hash", "pairing_expires_at", "paired_at",
                       "revoked_at", "revoked_by", "last_seen_at", "user_agent"]


@admin.register(m.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency"]
    list_filter = ["role", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]


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


admin.site.site_header = _("Administrasi Pakta")
admin.site.site_title = _("Pakta")


@admin.register(m.ArchiveJob)
class ArchiveJobAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agency", "event", "status", "requested_by", "created_at"]
    list_filter = ["status", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["agency__name", "event__title", "requested_by__username"]


@admin.register(m.SealCertificate)
class SealCertificateAdmin(ReadOnlyAdmin):
    list_display = ["subject", "serial", "not_before", "not_after", "first_used_at",
                    "last_used_at"]
    search_fields = ["subject", "fingerprint", "serial"]
    exclude = ["der"]
