"""Time the preview of a 20,000-row SIASN export (CSV and XLSX), the issue's target being
under 10 s on this machine.

Run by hand (never from the test suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/siasn_import.py [--rows 20000] [--existing 10000] [--runs 3]

A throwaway database (pakta_bench_<pid>) is created on the server of DATABASE_URL, migrated,
given a regency with 40 units and `--existing` of the file's employees already in Pakta (so
the preview compares as well as creates), measured, and dropped again. Printed per format:
the file's size; reading it (`read_table`); recognising it and cutting it to the columns read
(`recognise`); planning (`plan_import`: the preview's work); and the two requests an officer
makes, upload (read, recognise, keep the table in the session) and the preview page (plan and
render every row), through Django's test client.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import admin_sql  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--existing", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parsed = urlparse(base)
    name = f"pakta_bench_{os.getpid()}"
    server = urlunparse(parsed._replace(path="/postgres"))
    admin_sql(server, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(server, f'DROP DATABASE IF EXISTS "{name}"')


def timed(runs: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from signings.models import Agency, AgencyKind, Employee, EmployeeCategory, Role
    from tests import factories, siasn_export

    setup_test_environment()
    settings.PAKTA_IMPORT_MAX_BYTES = 64 * 1024 * 1024
    call_command("migrate", verbosity=0)
    root = Agency.objects.create(code="BENCH", name="Pemerintah Kabupaten Bench",
                                 kind=AgencyKind.REGENCY, city="Sampit")
    units = [Agency.objects.create(code=f"BENCH-{i}", name=f"Dinas Bench {i}", parent=root,
                                   kind=AgencyKind.DEPARTMENT, city="Sampit")
             for i in range(40)]
    officer = factories.user("bench.hr", role=Role.HR_OFFICER, agency=root)
    people = siasn_export.roster(args.rows, units=[u.name for u in units] + ["UPT Tak Dikenal"])
    Employee.objects.bulk_create([
        Employee(name=p.name, category=EmployeeCategory.PPPK if p.kind == "PPPK"
                 else EmployeeCategory.PNS, nip=p.nip, position="Jabatan Lama",
                 agency=units[i % len(units)])
        for i, p in enumerate(people[:args.existing])
    ], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    table = siasn_export.rows(people)
    files = {
        "csv": ("asn.csv", siasn_export.to_csv(table, bom=True)),
        "xlsx": ("asn.xlsx", siasn_export.to_xlsx(table)),
    }
    load = os.getloadavg()[0]
    print(f"{args.rows} rows, {args.existing} already in Pakta, load average {load:.2f}, "
          f"median of {args.runs}")
    for fmt, (filename, data) in files.items():
        measure(fmt, filename, data, runs=args.runs, root=root, officer=officer)


def measure(fmt: str, filename: str, data: bytes, *, runs: int, root, officer) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from signings.services import imports

    client = Client()
    client.force_login(officer)
    read_s, rows = timed(runs, lambda: imports.read_table(data, filename))
    recognise_s, recognised = timed(runs, lambda: imports.recognise(rows=rows, agency=root))
    plan_s, plan = timed(runs, lambda: imports.plan_import(table=recognised, agency=root,
                                                           user=officer))

    def upload():
        response = client.post(reverse("hr:import_upload"), {
            "agency": root.pk, "file": SimpleUploadedFile(filename, data)})
        assert response.status_code == 302, response
        return response.url

    upload_s, url = timed(runs, upload)
    page_s, page = timed(runs, lambda: client.get(url))
    assert page.status_code == 200
    print(f"{fmt:5} {len(data) / 1e6:5.1f} MB  read {read_s:5.2f}s  recognise "
          f"{recognise_s:5.2f}s  plan {plan_s:5.2f}s  = preview work "
          f"{read_s + recognise_s + plan_s:5.2f}s | upload request {upload_s:5.2f}s + "
          f"preview page {page_s:5.2f}s = {upload_s + page_s:5.2f}s  {plan.counts}")


if __name__ == "__main__":
    main()
