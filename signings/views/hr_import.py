"""Roster import (upload → preview → confirm), the template files and the roster export."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from signings import access
from signings.access import Ability
from signings.forms.employee import EmployeeFilterForm
from signings.forms.imports import ColumnMappingForm, ImportUploadForm, UnitMappingForm
from signings.models import Agency, Employee
from signings.services import imports
from signings.services.context import AuditContext

SESSION_KEY = "pakta_roster_import"
# An export whose columns are not known yet: only its header waits here, never its rows (the
# other columns may hold personal data Pakta does not keep). The file is uploaded again once
# the mapping is saved.
COLUMNS_SESSION_KEY = "pakta_roster_import_columns"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_ROWS = [
    ["19800101 200501 1 001", "", "", "Budi Santoso", "", "S.E.", "PNS", "Analis Kebijakan",
     "III/a", "", "", "ya", ""],
    ["199002152021211001", "", "", "Siti Aminah", "", "S.Kom.", "PPPK", "Pranata Komputer",
     "IX", "", "", "ya", "19800101 200501 1 001"],
    ["", "6202011508900001", "", "Rahmat Hidayat", "", "", "TKD", "Pengemudi", "", "", "",
     "ya", "19800101 200501 1 001"],
]


def _stored(request, token: str, key: str = SESSION_KEY) -> dict | None:
    """The upload this preview token belongs to, or None when it is gone or not ours."""
    stored = request.session.get(key)
    if not stored or not secrets.compare_digest(stored.get("token", ""), token):
        return None
    if key == SESSION_KEY and "table" not in stored:
        return None  # left by an older version of the import: upload again
    return stored


def _stored_agency(request, stored: dict) -> Agency:
    return access.get_scoped_or_404(Agency.objects.all(), request.user, Ability.MANAGE,
                                    field="", pk=stored["agency"])


@access.role_required(Ability.MANAGE)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user,
                            initial={"agency": request.GET.get("agency")})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        agency = form.cleaned_data["agency"]
        token = secrets.token_urlsafe(16)
        try:
            table = imports.recognise(rows=imports.read_table(data, upload.name), agency=agency)
        except imports.UnknownColumnsError as unknown:
            request.session[COLUMNS_SESSION_KEY] = {
                "token": token, "agency": agency.pk, "filename": upload.name[:200],
                "header": unknown.header, "guesses": unknown.guesses,
            }
            return redirect("hr:import_columns", token=token)
        except imports.ImportFileError as error:
            form.add_error("file", error.message)
        else:
            # One pending import per session: a new upload replaces the previous preview.
            request.session[SESSION_KEY] = {
                "token": token, "agency": agency.pk, "filename": upload.name[:200],
                "sha256": hashlib.sha256(data).hexdigest(), "table": table.to_session(),
            }
            return redirect("hr:import_preview", token=token)
    return render(request, "hr/import_upload.html", {
        "form": form, "columns": imports.COLUMNS,
    })


def _preview_gone(request):
    messages.error(request, _("Pratinjau impor tidak ditemukan atau sudah dipakai. "
                              "Unggah berkasnya lagi."))
    return redirect("hr:import_upload")


@access.role_required(Ability.MANAGE)
def import_preview(request, token):
    stored = _stored(request, token)
    if stored is None:
        return _preview_gone(request)
    agency = _stored_agency(request, stored)
    table = imports.Table.from_session(stored["table"])
    plan = imports.plan_import(table=table, agency=agency, user=request.user)
    unit_forms = [
        UnitMappingForm(initial={"source_name": name}, agency=agency, names=set(),
                        prefix=f"u{index}")
        for index, (name, _count) in enumerate(plan.unmatched_units)
    ]
    shown = _rows_shown(plan)
    return render(request, "hr/import_preview.html", {
        "plan": plan, "counts": plan.counts, "stored": stored, "agency": agency,
        "token": token, "fingerprint": plan.fingerprint(), "rows": shown,
        "hidden": len(plan.rows) - len(shown),
        "unmatched": list(zip(plan.unmatched_units, unit_forms, strict=True)),
    })


# Rendering a table row costs about as much as planning it: a 20,000-row export would spend
# seconds on a page nobody reads to the end. Rows that need a look (refused, changed) are all
# shown; new and unchanged ones up to this many, the rest counted.
PREVIEW_QUIET_ROWS = 500


def _rows_shown(plan: imports.ImportPlan) -> list[imports.RowOutcome]:
    shown, quiet = [], 0
    for row in plan.rows:
        if row.status in (imports.RowStatus.ERROR, imports.RowStatus.CHANGED):
            shown.append(row)
        elif quiet < PREVIEW_QUIET_ROWS:
            quiet += 1
            shown.append(row)
    return shown


@require_POST
@access.role_required(Ability.MANAGE)
def import_map_unit(request, token):
    stored = _stored(request, token)
    if stored is None:
        return _preview_gone(request)
    agency = _stored_agency(request, stored)
    table = imports.Table.from_session(stored["table"])
    prefix = request.POST.get("prefix", "")
    form = UnitMappingForm(request.POST, agency=agency, names=table.unit_names(),
                           prefix=prefix if prefix.isalnum() else "")
    if form.is_valid():
        imports.save_unit_mapping(agency=agency, source_name=form.cleaned_data["source_name"],
                                  unit=form.cleaned_data["unit"],
                                  context=AuditContext.from_request(request))
        messages.success(request, _("Unit “%(name)s” dipetakan ke %(unit)s.") % {
            "name": form.cleaned_data["source_name"], "unit": form.cleaned_data["unit"].name})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("hr:import_preview", token=token)


@access.role_required(Ability.MANAGE)
def import_columns(request, token):
    stored = _stored(request, token, COLUMNS_SESSION_KEY)
    if stored is None:
        return _preview_gone(request)
    agency = _stored_agency(request, stored)
    form = ColumnMappingForm(request.POST or None, header=stored["header"],
                             guesses=stored["guesses"])
    if request.method == "POST" and form.is_valid():
        imports.save_column_mapping(
            agency=agency, header=stored["header"], columns=form.cleaned_data["columns"],
            default_category=form.cleaned_data["default_category"],
            context=AuditContext.from_request(request))
        del request.session[COLUMNS_SESSION_KEY]
        messages.success(request, _("Pemetaan kolom disimpan. Unggah berkas “%(name)s” sekali "
                                    "lagi untuk melihat pratinjaunya.")
                         % {"name": stored["filename"]})
        return redirect(f"{reverse('hr:import_upload')}?agency={agency.pk}")
    return render(request, "hr/import_columns.html", {
        "form": form, "stored": stored, "agency": agency,
    })


@require_POST
@access.role_required(Ability.MANAGE)
def import_confirm(request, token):
    stored = _stored(request, token)
    if stored is None:
        return _preview_gone(request)
    agency = _stored_agency(request, stored)
    try:
        plan = imports.apply_import(
            source=imports.ImportSource(table=imports.Table.from_session(stored["table"]),
                                        filename=stored["filename"], sha256=stored["sha256"]),
            agency=agency, fingerprint=request.POST.get("fingerprint", ""),
            context=AuditContext.from_request(request),
        )
    except imports.ImportFileError as error:
        messages.error(request, error.message)
        return redirect("hr:import_preview", token=token)
    del request.session[SESSION_KEY]
    counts = plan.counts
    messages.success(request, _(
        "Impor selesai: %(new)d pegawai baru, %(changed)d diubah, %(unchanged)d tidak berubah, "
        "%(error)d baris ditolak.") % counts)
    return redirect("hr:employees")


def _csv_response(rows: list[list[str]], filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([imports.neutralise(cell) for cell in row])
    # The BOM makes Excel open the file as UTF-8 instead of the ANSI code page.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(rows: list[list[str]], filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Pegawai"
    for row in rows:
        sheet.append([imports.xlsx_text(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # NIP and NIK columns as text, so Excel never turns them into 1.98E+17.
    for column in ("A", "B", "C"):
        for cell in sheet[column]:
            cell.number_format = "@"
        sheet.column_dimensions[column].width = 22
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _respond(rows, fmt: str, stem: str) -> HttpResponse:
    if fmt == "xlsx":
        return _xlsx_response(rows, f"{stem}.xlsx")
    return _csv_response(rows, f"{stem}.csv")


@access.role_required(Ability.MANAGE)
def import_template(request, fmt):
    header = [label for _key, label in imports.COLUMNS]
    return _respond([header, *EXAMPLE_ROWS], fmt, "templat-impor-pegawai")


@access.role_required(Ability.MANAGE)
def roster_export(request, fmt):
    form = EmployeeFilterForm(request.GET or None, user=request.user)
    employees = form.filter(
        access.scoped(Employee.objects.select_related("agency", "superior"), request.user,
                      Ability.MANAGE)
    )
    rows = [[label for _key, label in imports.COLUMNS]]
    for e in employees.iterator(chunk_size=2000):
        rows.append([
            e.nip or "", e.nik or "", e.staff_number, e.name, e.title_prefix, e.title_suffix,
            e.category, e.position, e.grade,
            {2: "II", 3: "III", 4: "IV"}.get(e.echelon, ""), e.agency.code,
            "ya" if e.is_active else "tidak", (e.superior.nip or "") if e.superior else "",
        ])
    return _respond(rows, fmt, "daftar-pegawai")
