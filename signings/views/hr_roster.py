"""Roster pages: the agency tree and the employee list, form and status changes."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.forms.employee import EmployeeFilterForm, EmployeeForm
from signings.models import AuditEntry, Employee
from signings.services import roster
from signings.services.context import AuditContext
from signings.views.hr import paginate, query_without_page


@access.role_required(Ability.MANAGE)
def agency_tree(request):
    agencies = (
        access.agencies(request.user, Ability.MANAGE)
        .annotate(
            active_count=Count("employees", filter=Q(employees__is_active=True)),
            inactive_count=Count("employees", filter=Q(employees__is_active=False)),
        )
        .order_by("path")
    )
    return render(request, "hr/agency_tree.html", {"agencies": agencies})


@access.role_required(Ability.MANAGE)
def employee_list(request):
    form = EmployeeFilterForm(request.GET or None, user=request.user)
    employees = form.filter(
        access.scoped(Employee.objects.select_related("agency"), request.user, Ability.MANAGE)
    )
    page = paginate(request, employees)
    return render(request, "hr/employee_list.html", {
        "form": form, "page": page, "query": query_without_page(request),
    })


def _employee(request, pk) -> Employee:
    return access.get_scoped_or_404(
        Employee.objects.select_related("agency"), request.user, Ability.MANAGE, pk=pk
    )


@access.role_required(Ability.MANAGE)
def employee_create(request):
    form = EmployeeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            employee = roster.create_employee(employee=form.instance,
                                              context=AuditContext.from_request(request))
        except roster.RosterError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Pegawai %(name)s ditambahkan.") % {"name": employee})
            return redirect("hr:employees")
    return render(request, "hr/employee_form.html", {"form": form, "employee": None})


@access.role_required(Ability.MANAGE)
def employee_edit(request, pk):
    employee = _employee(request, pk)
    form = EmployeeForm(request.POST or None, instance=employee, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            roster.update_employee(employee=form.instance,
                                   context=AuditContext.from_request(request))
        except roster.RosterError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Data %(name)s disimpan.") % {"name": employee})
            return redirect("hr:employees")
    signed_count = employee.signatures.count()
    return render(request, "hr/employee_form.html", {
        "form": form, "employee": employee, "signed_count": signed_count,
        "history": AuditEntry.objects.for_object(employee).history(),
    })


@require_POST
@access.role_required(Ability.MANAGE)
def employee_set_active(request, pk):
    employee = _employee(request, pk)
    if request.POST.get("active") not in ("0", "1"):
        messages.error(request, _("Permintaan tidak lengkap; coba lagi dari halaman pegawai."))
        return redirect("hr:employee_edit", pk=employee.pk)
    active = request.POST["active"] == "1"
    roster.set_active(employee=employee, active=active, context=AuditContext.from_request(request))
    if active:
        messages.success(request, _("%(name)s diaktifkan kembali.") % {"name": employee})
    else:
        messages.success(request, _("%(name)s dinonaktifkan.") % {"name": employee})
    return redirect("hr:employee_edit", pk=employee.pk)


@require_POST
@access.role_required(Ability.MANAGE)
def employee_delete(request, pk):
    employee = _employee(request, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Penghapusan belum dikonfirmasi."))
        return redirect("hr:employee_edit", pk=employee.pk)
    try:
        roster.delete_employee(employee=employee, context=AuditContext.from_request(request))
    except roster.RosterError as error:
        messages.error(request, error.message)
        return redirect("hr:employee_edit", pk=employee.pk)
    messages.success(request, _("%(name)s dihapus.") % {"name": employee})
    return redirect("hr:employees")
