"""Time the live assembly view's polled partial with 5,000 expected employees.

Run by hand (never from the test suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        /work/main/.venv/bin/python bench/live_view.py [--expected 5000] [--runs 30]

A throwaway database (pakta_bench_<pid>) is created on the server of DATABASE_URL, migrated,
filled, measured, and dropped again.
"""

from __future__ import annotations

import argparse
import datetime
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
    parser.add_argument("--expected", type=int, default=5000)
    parser.add_argument("--signed", type=float, default=0.6, help="share already signed")
    parser.add_argument("--runs", type=int, default=30)
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


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from signings.models import (
        AbsenceReason,
        Agency,
        AgencyKind,
        AttendanceOutcome,
        AttendanceStatus,
        Employee,
        EmployeeCategory,
        Role,
        Signature,
        SignatureMethod,
    )
    from signings.services import events
    from signings.services.context import AuditContext
    from signings.services.events import NewEvent
    from tests import factories

    setup_test_environment()
    call_command("migrate", verbosity=0)
    root = Agency.objects.create(code="BENCH", name="Pemerintah Kabupaten Bench",
                                 kind=AgencyKind.REGENCY, city="Sampit")
    units = [Agency.objects.create(code=f"BENCH-{i}", name=f"Dinas {i}", parent=root,
                                   kind=AgencyKind.DEPARTMENT, city="Sampit")
             for i in range(25)]
    officer = factories.user("bench.hr", role=Role.HR_OFFICER, agency=root)
    version = factories.template_version(root)
    people = []
    for i in range(args.expected):
        birth = datetime.date(1970 + i // 999, 1 + (i // 83) % 12, 1 + i % 28)
        people.append(Employee(
            name=f"Pegawai {i:05d}", category=EmployeeCategory.PNS,
            nip=f"{birth:%Y%m%d}200501{1 + i % 2}{i % 999 + 1:03d}", position="Analis",
            grade="III/a", agency=units[i % len(units)],
        ))
    Employee.objects.bulk_create(people, batch_size=1000)
    started = time.perf_counter()
    event = events.create_event(
        agency=root,
        details=NewEvent(
            template_version=version,
            title="Apel Bench",
            date=datetime.date(2024, 1, 17),
            venue="Halaman",
        ),
        context=AuditContext.for_user(officer),
    )
    event = events.open_event(event=event, context=AuditContext.for_user(officer))
    print(f"event with {event.expected.count()} expected created in "
          f"{time.perf_counter() - started:.2f}s")
    employees = list(Employee.objects.order_by("pk"))
    signed_n = int(len(employees) * args.signed)
    # Inserted directly: the bench measures reading, not the signing path.
    Signature.objects.bulk_create([
        Signature(event=event, employee=e, method=SignatureMethod.OFFICER, officer=officer,
                  template_hash=version.content_hash)
        for e in employees[:signed_n]
    ], batch_size=1000)
    AttendanceOutcome.objects.bulk_create([
        AttendanceOutcome(event=event, employee=e, status=AttendanceStatus.ABSENT,
                          reason=AbsenceReason.SICK, recorded_by=officer)
        for e in employees[signed_n:signed_n + len(employees) // 20]
    ])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    client = Client()
    client.force_login(officer)
    url = reverse("hr:event_live_panel", kwargs={"pk": event.pk})
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        client.get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    for label, params in (("no search", {}), ("search 'Pegawai 01'", {"q": "Pegawai 01"})):
        client.get(url, params)  # warm up
        timings = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params)
            timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200
        totals = response.context["totals"]
        if os.environ.get("BENCH_VERBOSE"):
            for query in queries.captured_queries:
                print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        print(f"{label}: {len(queries)} queries; median {statistics.median(timings):.1f} ms, "
              f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.1f} ms, "
              f"max {max(timings):.1f} ms over {args.runs} runs; totals {totals}")


if __name__ == "__main__":
    main()
