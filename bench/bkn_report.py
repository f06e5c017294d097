"""Benchmark the BKN report of an agency: the read model, the XLSX, the PDF render and seal,
for N employees expected at an apel and its follow-up, a quarter of them not signed.

Run by hand, never from the tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakta_bench \\
        .venv/bin/python bench/bkn_report.py [--employees 3000] [--runs 3]

It creates a throw-away test database (test_<name>) and a temporary MEDIA_ROOT, and removes both.
Signatures are inserted directly (the report only reads them), not through the signing service.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def make_data(n: int):
    from django.utils import timezone

    from signings.models import (
        AbsenceReason,
        Agency,
        AgencyKind,
        AttendanceOutcome,
        AttendanceStatus,
        Employee,
        EmployeeCategory,
        ExpectedSigner,
        Signature,
        SignatureMethod,
        SigningEvent,
    )
    from signings.services.context import AuditContext
    from signings.services.events import NewEvent, create_event, open_event
    from tests import factories

    top = Agency.objects.create(code="BENCH", name="Pemerintah Kabupaten Bench",
                                kind=AgencyKind.REGENCY, city="Sampit")
    units = [Agency.objects.create(code=f"BENCH-{i}", name=f"Dinas Bench {i}", city="Sampit",
                                   kind=AgencyKind.DEPARTMENT, parent=top) for i in range(20)]
    officer = factories.user("hr.bench")
    context = AuditContext.for_user(officer)
    version = factories.template_version(top)
    # Non-ASN, identified by a staff number: the layout is the same for a NIP.
    categories = [EmployeeCategory.HONORER, EmployeeCategory.CONTRACT, EmployeeCategory.TKD]
    Employee.objects.bulk_create([
        Employee(name=f"Pegawai Bench {i}", category=categories[i % 3], staff_number=f"B{i}",
                 position="Analis Kebijakan", agency=units[i % 20]) for i in range(n)
    ], batch_size=2000)
    people = list(Employee.objects.filter(agency__parent=top).order_by("pk"))
    events: list[SigningEvent] = []
    for day, title in ((17, "Apel Bench"), (24, "Apel Bench (susulan)")):
        event = create_event(agency=top, details=NewEvent(
            template_version=version, title=title, date=datetime.date(2024, 1, day),
            venue="Halaman"), expected=[], context=context)
        ExpectedSigner.objects.bulk_create([ExpectedSigner(event=event, employee=p)
                                            for p in people], batch_size=2000)
        events.append(open_event(event=event, context=context))
    now = timezone.now()
    # Half sign at the apel, a quarter at the follow-up; of the rest, half were absent.
    signed = [(events[0], p) for p in people[: n // 2]] + \
             [(events[1], p) for p in people[n // 2: 3 * n // 4]]
    Signature.objects.bulk_create([
        Signature(event=e, employee=p, method=SignatureMethod.OFFICER, officer=officer,
                  signed_at=now, received_at=now, template_hash=version.content_hash)
        for e, p in signed], batch_size=2000)
    AttendanceOutcome.objects.bulk_create([
        AttendanceOutcome(event=events[1], employee=p, status=AttendanceStatus.ABSENT,
                          reason=AbsenceReason.SICK, recorded_by=officer)
        for p in people[3 * n // 4:: 2]], batch_size=2000)
    return top, events, context


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    media = tempfile.mkdtemp(prefix="pakta-bench-")
    settings.MEDIA_ROOT = media
    settings.PAKTA_SEAL_PKCS12 = str(Path(media) / "seal.p12")
    settings.PAKTA_DEV_PKI_DIR = str(Path(media) / "pki")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from signings.pdf import bkn, seal
    from signings.readmodels import bkn_report, bkn_xlsx
    from signings.services import bkn_reports

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        agency, events, context = make_data(args.employees)
        seal.get_signer()
        timings: dict[str, list[float]] = {"read model": [], "xlsx": [], "pdf render": [],
                                           "pdf render+seal": []}
        for _ in range(args.runs):
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                report = bkn_report.agency_report(agency, events)
            timings["read model"].append(time.perf_counter() - t)
            t = time.perf_counter()
            bkn_xlsx.bkn_report_xlsx(report, title="bench")
            timings["xlsx"].append(time.perf_counter() - t)
            t = time.perf_counter()
            bkn.render_bkn_report(report, issue=bkn.Issue(
                officer_name="hr.bench", made_at=datetime.datetime.now(datetime.UTC)))
            timings["pdf render"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sealed = bkn_reports.render_sealed(report=report, period=None,
                                               officer_name="hr.bench", context=context)
            timings["pdf render+seal"].append(time.perf_counter() - t)
        pages = len(PdfReader(io.BytesIO(sealed)).pages)
        print(f"{args.employees} employees, 2 events: expected {report.total.expected}, "
              f"signed {report.total.signed}, non-signers {len(report.non_signers)}; "
              f"read model {len(queries.captured_queries)} queries; PDF {pages} pages, "
              f"{len(sealed) // 1024} KB; load {os.getloadavg()[0]:.2f}")
        for name, values in timings.items():
            print(f"  {name:16s} median {statistics.median(values):.2f} s "
                  f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
