"""Shared fixtures. Tests run on PostgreSQL (DATABASE_URL), never on SQLite."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import translation

from signings.models import (
    Agency,
    AgencyKind,
    Employee,
    EventStatus,
    PactTemplateVersion,
    Role,
)
from signings.pdf import bsre as bsre_client
from signings.pdf import pki, tsa_server
from tests import bsre_server, factories, task_workers
from tests.kiosk_support import pair


@dataclass(frozen=True)
class LocalTsa:
    pki: pki.DevPki
    url: str


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_truncate_trigger():
    """Transactional tests end with Django's flush, a TRUNCATE of every table, which the audit
    log refuses (migration 0008). Tests switch the trigger off around their own flush only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "signings_auditentry" not in tables or not statements:
            return statements
        toggle = "ALTER TABLE signings_auditentry {} TRIGGER signings_auditentry_no_truncate;"
        return [toggle.format("DISABLE"), *statements, toggle.format("ENABLE")]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _indonesian():
    # A request in English (the language menu) leaves the thread's language switched; every
    # test starts from the product's default.
    with translation.override("id"):
        yield


@pytest.fixture(scope="session")
def local_tsa(tmp_path_factory):
    """The project's own CA and RFC 3161 responder, as bin/run starts them, on a free port."""
    sock = tsa_server.free_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    dev_pki = pki.ensure_dev_pki(tmp_path_factory.mktemp("pki"), base_url=base_url)
    stop = tsa_server.serve_in_thread(dev_pki, sock)
    yield LocalTsa(pki=dev_pki, url=base_url + pki.TSA_PATH)
    stop()


@pytest.fixture(scope="session")
def bsre_service(local_tsa, tmp_path_factory):
    """The stand-in Esign Client Service (tests/bsre_server.py), on a free port."""
    sock = tsa_server.free_socket()
    fake = bsre_server.FakeBsre(pki=local_tsa.pki, directory=tmp_path_factory.mktemp("bsre"))
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop = bsre_server.serve_in_thread(fake, sock)
    yield fake
    stop()


@pytest.fixture
def bsre(bsre_service, settings) -> bsre_server.FakeBsre:
    """Pakta set to seal with BSrE, through the stand-in service, answering normally."""
    bsre_service.reset()
    bsre_client.forget_clients()
    settings.PAKTA_SIGNING_BACKEND = "bsre"
    settings.PAKTA_BSRE_URL = bsre_service.url
    settings.PAKTA_BSRE_USER = bsre_server.USER
    settings.PAKTA_BSRE_PASSWORD = bsre_server.PASSWORD
    settings.PAKTA_BSRE_SEAL_ID = bsre_server.SEAL_ID
    settings.PAKTA_BSRE_SEAL_TOTP = bsre_server.SEAL_ACTIVATION
    settings.PAKTA_BSRE_TIMEOUT = 2
    yield bsre_service
    bsre_service.reset()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and "already scheduled" marks live in the cache; each test starts without.
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings, local_tsa):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAKTA_SCRATCH_DIR = tmp_path / "scratch"
    settings.PAKTA_SEAL_PKCS12 = str(tmp_path / "seal" / "dev-seal.p12")
    settings.PAKTA_DEV_PKI_DIR = str(local_tsa.pki.directory)
    settings.PAKTA_TSA_URL = local_tsa.url


@pytest.fixture(scope="session")
def redis_server():
    """A private Redis for the RQ task backend, started on first use (tests/task_workers.py)."""
    server = task_workers.start_redis()
    yield server
    task_workers.stop_redis(server)


@pytest.fixture(params=task_workers.BACKENDS)
def task_queue(request, settings) -> task_workers.TaskQueue:
    """Each test that takes it runs once per task backend: the database queue and RQ."""
    if request.param == "rq":
        queue = task_workers.TaskQueue("rq", request.getfixturevalue("redis_server").url)
    else:
        queue = task_workers.TaskQueue("db")
    queue.apply(settings)
    queue.flush()
    yield queue
    queue.flush()


@pytest.fixture
def agency_a(db) -> Agency:
    return Agency.objects.create(code="A", name="Pemerintah Kabupaten A", kind=AgencyKind.REGENCY,
                                 city="Sampit")


@pytest.fixture
def unit_a(agency_a) -> Agency:
    return Agency.objects.create(code="A-DINKES", name="Dinas Kesehatan A",
                                 kind=AgencyKind.DEPARTMENT, city="Sampit", parent=agency_a)


@pytest.fixture
def agency_b(db) -> Agency:
    return Agency.objects.create(code="B", name="Pemerintah Kabupaten B", kind=AgencyKind.REGENCY,
                                 city="Kuala Pembuang")


@pytest.fixture
def hr_a(agency_a):
    return factories.user("hr_a", role=Role.HR_OFFICER, agency=agency_a)


@pytest.fixture
def hr_b(agency_b):
    return factories.user("hr_b", role=Role.HR_OFFICER, agency=agency_b)


@pytest.fixture
def auditor_a(agency_a):
    return factories.user("auditor_a", role=Role.AUDITOR, agency=agency_a)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-Strong-pass-1")


@pytest.fixture
def employee_a(unit_a) -> Employee:
    return factories.employee(unit_a)


@pytest.fixture
def template_version(agency_a) -> PactTemplateVersion:
    return factories.template_version(agency_a)


@pytest.fixture
def open_event(agency_a, unit_a, template_version, hr_a):
    for _ in range(3):
        factories.employee(unit_a)
    return factories.event(agency_a, officer=hr_a, template_version=template_version)


@pytest.fixture
def tablet(open_event, hr_a):
    """A tablet paired to the open event: (device, token)."""
    return pair(open_event, hr_a)


@pytest.fixture
def people(open_event):
    """The open event's expected people."""
    return [row.employee for row in open_event.expected.select_related("employee__agency")]


@pytest.fixture
def draft_events(agency_a, template_version, hr_a):
    """Make n draft events of agency A on the shared template (for query-count tests)."""
    def make(n: int) -> list:
        return [factories.event(agency_a, officer=hr_a, template_version=template_version,
                                status=EventStatus.DRAFT, title="E", venue="Aula")
                for _ in range(n)]

    return make


@pytest.fixture
def officer(client, hr_a):
    """The test client, logged in as agency A's HR officer."""
    client.force_login(hr_a)
    return client
