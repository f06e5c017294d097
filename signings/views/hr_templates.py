"""Pact templates: list, create, edit (new version once used), preview, events per version."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Count, Max, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.forms.templates import InstallRegulationForm, TemplateForm
from signings.models import (
    Echelon,
    Employee,
    EmployeeCategory,
    PactTemplate,
    PactTemplateVersion,
    SigningEvent,
)
from signings.pdf import pact_text
from signings.services import templates as template_service
from signings.services.context import AuditContext
from signings.views.hr import id_param, paginate


@access.role_required(Ability.MANAGE)
def template_list(request):
    templates = (
        access.scoped(PactTemplate.objects.select_related("agency"), request.user, Ability.MANAGE)
        .annotate(version_count=Count("versions", distinct=True),
                  latest_number=Max("versions__number"),
                  event_count=Count("versions__events", distinct=True))
        .order_by("agency__path", "name")
    )
    return render(request, "hr/template_list.html", {
        "page": paginate(request, templates),
        "install_form": InstallRegulationForm(user=request.user),
    })


@require_POST
@access.role_required(Ability.MANAGE)
def template_install(request):
    """The regulation's templates (Permenpan RB 49/2011, Ikrar Netralitas 2024) for one of the
    officer's agencies; those it has already are left as they are."""
    form = InstallRegulationForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Pilih instansi yang Anda kelola."))
        return redirect("hr:templates")
    made = template_service.install_regulation_templates(
        agency=form.cleaned_data["agency"], context=AuditContext.from_request(request))
    if made:
        messages.success(request, _("Dipasang: %(names)s.")
                         % {"names": ", ".join(v.template.name for v in made)})
    else:
        messages.info(request, _("Instansi ini sudah memiliki semua templat peraturan."))
    return redirect("hr:templates")


@access.role_required(Ability.MANAGE)
def template_create(request):
    form = TemplateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        version = template_service.create_template(
            agency=form.cleaned_data["agency"], name=form.cleaned_data["name"],
            description=form.cleaned_data["description"], content=form.content,
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("Templat %(name)s dibuat.") % {"name": version.template})
        return redirect("hr:template_detail", pk=version.template_id)
    return render(request, "hr/template_form.html", {"form": form, "template": None})


def _template(request, pk) -> PactTemplate:
    return access.get_scoped_or_404(PactTemplate.objects.select_related("agency"), request.user,
                                    Ability.MANAGE, pk=pk)


@access.role_required(Ability.MANAGE)
def template_detail(request, pk):
    template = _template(request, pk)
    versions = template.versions.annotate(
        signature_count=Count("events__signatures", distinct=True),
    ).prefetch_related(
        Prefetch("events", queryset=SigningEvent.objects.select_related("agency")
                 .order_by("-date", "-pk"))
    ).order_by("-number")
    return render(request, "hr/template_detail.html", {
        "template": template, "versions": versions,
    })


@access.role_required(Ability.MANAGE)
def template_edit(request, pk):
    template = _template(request, pk)
    latest = template.latest_version
    form = TemplateForm(request.POST or None, user=request.user, template=template,
                        initial=TemplateForm.initial_from(template, latest))
    if request.method == "POST" and form.is_valid():
        version, created = template_service.save_template(
            template=template, name=form.cleaned_data["name"],
            description=form.cleaned_data["description"], content=form.content,
            context=AuditContext.from_request(request),
        )
        if created:
            messages.success(request, _(
                "Versi sebelumnya sudah dipakai, jadi perubahan disimpan sebagai versi "
                "%(number)d.") % {"number": version.number})
        else:
            messages.success(request, _("Versi %(number)d diperbarui.")
                             % {"number": version.number})
        return redirect("hr:template_detail", pk=template.pk)
    frozen = latest is not None and template_service.version_is_frozen(latest)
    return render(request, "hr/template_form.html", {
        "form": form, "template": template, "latest": latest, "frozen": frozen,
    })


def _sample_employee(template: PactTemplate) -> Employee:
    """An unsaved, clearly fictional signer for when the agency has no staff yet."""
    return Employee(name="Contoh Pegawai", title_suffix="S.E.", category=EmployeeCategory.PNS,
                    nip="198001012005011001", position="Analis Kebijakan", grade="III/a",
                    echelon=Echelon.NONE, agency=template.agency)


@access.role_required(Ability.MANAGE)
def version_preview(request, pk):
    version = access.get_scoped_or_404(
        PactTemplateVersion.objects.select_related("template__agency"), request.user,
        Ability.MANAGE, field="template__agency", pk=pk,
    )
    candidates = access.scoped(Employee.objects.select_related("agency"), request.user,
                               Ability.MANAGE).in_agency(version.template.agency).active()
    employee = None
    wanted = id_param(request, "employee")
    if wanted is not None:
        employee = candidates.filter(pk=wanted).first()
    employee = employee or candidates.order_by("echelon", "name").first() or _sample_employee(
        version.template)
    return render(request, "hr/version_preview.html", {
        **pact_text.body_context(version, employee,
                                 pact_text.place_now(employee.agency)),
        "employee": employee, "agency": employee.agency,
        "choices": candidates.order_by("name")[:200], "today": timezone.localdate(),
        "sample_date": datetime.date.today(),
    })
