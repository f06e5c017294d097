"""Media only through Django's storage API (settings.STORAGES["default"]): with a storage that
has no local path, as a bucket has none, every way a file is written and read works, and
nothing lands under MEDIA_ROOT."""

import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils._os import safe_join

from signings.archive_verifier import verify_arsip
from signings.models import ArchiveJob, ArchiveStatus, AuditEntry, EventRecap
from signings.pdf import seal
from signings.services import archives, checkpoints
from signings.services.context import AuditContext
from tests import factories

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class BucketLikeStorage(InMemoryStorage):
    """Django's in-memory storage answers path() with a made-up path under MEDIA_ROOT, which
    code could open behind the storage's back; a bucket has no path at all."""

    def path(self, name):
        raise NotImplementedError("No local path: a bucket, not a directory.")

    def _relative_path(self, name):  # what the in-memory tree uses path() for
        return os.path.relpath(safe_join(self.location, name), self.location)


@pytest.fixture(params=["no-path", "s3"])
def no_local_path(request, settings, monkeypatch):
    """A storage without local paths: always the in-memory one above; and, where the optional
    S3 packages and moto are installed (requirements-s3.txt), the S3 storage that
    PAKTA_STORAGE=s3 configures, on moto's in-process S3."""
    if request.param == "s3":
        pytest.importorskip("storages", reason="PAKTA_STORAGE=s3 is optional: "
                                               "pip install -r requirements-s3.txt")
        moto = pytest.importorskip("moto", reason="the S3 check runs on moto's fake S3")
        import boto3

        from pakta.env import media_storage

        for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_DEFAULT_REGION": "us-east-1", "PAKTA_STORAGE": "s3",
                            "AWS_STORAGE_BUCKET_NAME": "pakta-test"}.items():
            monkeypatch.setenv(name, value)
        mocked = moto.mock_aws()
        mocked.start()
        request.addfinalizer(mocked.stop)
        boto3.client("s3").create_bucket(Bucket="pakta-test")
        storage = media_storage()
    else:
        storage = {"BACKEND": "tests.test_storage.BucketLikeStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.TASKS = IMMEDIATE
    with pytest.raises(NotImplementedError):
        default_storage.path("pacts/x.pdf")
    yield
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*")), list(media.rglob("*"))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def signed(no_local_path, open_event, hr_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for expected in open_event.expected.select_related("employee").order_by("pk")[:2]:
            factories.signature(open_event, expected.employee, officer=hr_a)
    return list(open_event.signatures.order_by("pk"))


def test_signature_files_and_the_pact_download_live_in_the_storage(signed, auditor_a, client):
    for signature in signed:  # the image, its thumbnail and the pact
        assert all(default_storage.exists(name) for name in
                   (signature.image.name, signature.thumbnail.name, signature.pdf.name))
    client.force_login(auditor_a)
    first = signed[0]
    pact = body(client.get(reverse("audit:signature_pdf", args=[first.pk])))
    assert hashlib.sha256(pact).hexdigest() == first.pdf_sha256
    assert seal.check_seal(pact).valid
    # Gone from the storage: rendered again at the download, into the storage.
    default_storage.delete(first.pdf.name)
    again = body(client.get(reverse("audit:signature_pdf", args=[first.pk])))
    first.refresh_from_db()
    assert hashlib.sha256(again).hexdigest() == first.pdf_sha256
    assert default_storage.exists(first.pdf.name)
    assert AuditEntry.objects.filter(action="signing.pdf.rerendered").count() == 1
    verdict = client.post(reverse("verify:signature", args=[first.verification_code]),
                          {"document": SimpleUploadedFile("pakta.pdf", again)})
    assert 'data-verdict="issued"' in verdict.content.decode()


def test_recap_and_audit_checkpoint_are_stored_and_checked_in_the_storage(
        signed, open_event, auditor_a, client):
    client.force_login(auditor_a)
    recap = body(client.get(reverse("audit:event_recap", args=[open_event.pk])))
    assert recap.startswith(b"%PDF") and default_storage.exists(EventRecap.objects.get().file.name)
    chain = checkpoints.chain_of_agency(open_event.agency)
    checkpoint = checkpoints.make_checkpoint(chain=chain, context=AuditContext.system("test"))
    assert default_storage.exists(checkpoint.storage_prefix + ".json")
    call_command("verify_audit_chain")  # reads the checkpoints back from the storage


def test_archive_is_built_stored_downloaded_and_verified_without_a_local_path(
        signed, open_event, auditor_a, client, tmp_path, django_capture_on_commit_callbacks):
    checkpoints.make_checkpoint(chain=checkpoints.chain_of_agency(open_event.agency),
                                context=AuditContext.system("test"))
    client.force_login(auditor_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit:event_archive", args=[open_event.pk]))
    job = ArchiveJob.objects.get()
    assert job.status == ArchiveStatus.READY and job.total == 2
    assert not any(archives.scratch_dir().iterdir())  # the build's own file is gone
    data = body(client.get(reverse("audit:archive_download", args=[job.pk])))
    assert hashlib.sha256(data).hexdigest() == job.file_sha256
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert any(name.startswith("jejak-audit/") for name in zipped.namelist())
    archive = tmp_path / "arsip.zip"  # the auditor's own copy, on the auditor's disk
    archive.write_bytes(data)
    report = io.StringIO()
    assert verify_arsip.main([str(archive)], out=report) == 0, report.getvalue()


def test_the_application_never_asks_for_a_local_media_path():
    """Reads and writes go through the storage API: no MEDIA_ROOT, no storage.path()."""
    root = Path(__file__).resolve().parent.parent / "signings"
    local = re.compile(
        r"MEDIA_ROOT|storage\.path\(|\.(pdf|image|thumbnail|paper_scan|file)\.path\b")
    offenders = [f"{path.relative_to(root)}:{number}"
                 for path in root.rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if local.search(line)]
    assert offenders == []
