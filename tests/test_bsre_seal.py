"""PAKTA_SIGNING_BACKEND=bsre: every pact sealed by BSrE's Esign Client Service (the stand-in
in tests/bsre_server.py), read back; an outage leaves pacts awaiting their seal, never the
signing; the queue drains when BSrE answers again."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from signings.models import AuditEntry, SealStatus, Signature
from signings.pdf import seal
from signings.services import bsre_queue, pacts, verification
from signings.services.context import AuditContext
from tests import factories, task_workers

SYSTEM = AuditContext.system("test")
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _signature(open_event, hr_a, index=0):
    employee = list(open_event.expected.all())[index].employee
    return factories.signature(open_event, employee, officer=hr_a)


@pytest.mark.django_db
def test_a_pact_is_sealed_by_bsre_and_reads_back_as_our_seal(bsre, open_event, hr_a):
    signature = pacts.render_and_store(signature_id=_signature(open_event, hr_a).pk,
                                       context=SYSTEM)
    assert signature.seal_status == SealStatus.SEALED
    data = signature.pdf.read()
    check = verification._check_seal(data)
    assert check.valid, check.reason
    assert "Uji BSrE" in check.certificate.subject.human_friendly
    assert verification.check_upload(data).issued
    assert bsre.paths() == ["/api/v2/seal/get/totp", "/api/v2/seal/pdf"]
    body = bsre.calls[1][1]
    assert body["signatureProperties"][0]["tampilan"] == "INVISIBLE"
    assert body["idSubscriber"] == "SEAL-UJI-01"
    rendered = AuditEntry.objects.get(action=pacts.ACTION_RENDERED)
    assert rendered.details["sealed_by"] == "bsre"


@pytest.mark.django_db
def test_the_seal_code_is_fetched_once_while_it_is_valid(bsre, open_event, hr_a):
    for index in (0, 1):
        pacts.render_and_store(signature_id=_signature(open_event, hr_a, index).pk,
                               context=SYSTEM)
    assert bsre.paths().count("/api/v2/seal/get/totp") <= 1
    assert bsre.paths().count("/api/v2/seal/pdf") == 2


@pytest.mark.django_db
def test_an_outage_leaves_the_pact_awaiting_its_seal_and_schedules_a_retry(
        bsre, open_event, hr_a, django_capture_on_commit_callbacks):
    bsre.fail_with = 500
    signature = _signature(open_event, hr_a)
    with task_workers.recording_enqueued() as enqueued, \
            django_capture_on_commit_callbacks(execute=True):
        signature = pacts.render_and_store(signature_id=signature.pk, context=SYSTEM)
    assert signature.seal_status == SealStatus.AWAITING
    assert not signature.pdf and not signature.pdf_sha256
    assert signature.seal_attempts == 1
    entry = AuditEntry.objects.get(action=bsre_queue.ACTION_SEAL_AWAITING)
    assert entry.details["http_status"] == 500 and entry.details["retry_in_seconds"] == 30
    retries = [r for r in enqueued if r.task.name == "render_signature_pdf"]
    assert [r.args for r in retries] == [[signature.pk]]
    assert retries[0].task.run_after is not None
    assert not AuditEntry.objects.filter(action=pacts.ACTION_RENDERED).exists()


def test_the_retry_backs_off_to_the_configured_ceiling(settings):
    settings.PAKTA_BSRE_RETRY_MAX_SECONDS = 600
    assert [bsre_queue.backoff_seconds(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


@pytest.mark.django_db
def test_when_bsre_answers_again_the_awaiting_pacts_are_queued_and_sealed(
        bsre, open_event, hr_a, django_capture_on_commit_callbacks):
    bsre.fail_with = 503
    waiting = [pacts.render_and_store(signature_id=_signature(open_event, hr_a, i).pk,
                                      context=SYSTEM) for i in (0, 1)]
    assert Signature.objects.awaiting_seal().count() == 2
    bsre.fail_with = None
    fresh = _signature(open_event, hr_a, 2)
    with task_workers.recording_enqueued() as enqueued, \
            django_capture_on_commit_callbacks(execute=True):
        assert pacts.render_and_store(signature_id=fresh.pk,
                                      context=SYSTEM).seal_status == SealStatus.SEALED
    queued = sorted(r.args[0] for r in enqueued if r.task.name == "render_signature_pdf")
    assert queued == sorted(s.pk for s in waiting)
    for pk in queued:  # what the worker runs
        sealed = pacts.render_and_store(signature_id=pk, context=SYSTEM)
        assert sealed.seal_status == SealStatus.SEALED and sealed.seal_attempts == 0
        assert verification.check_upload(sealed.pdf.read()).issued
    assert not Signature.objects.awaiting_seal().exists()
    assert AuditEntry.objects.filter(action=pacts.ACTION_RENDERED,
                                     details__seal_awaited=True).count() == 2
    assert not cache.get(bsre_queue.OUTAGE_KEY)


@pytest.mark.django_db
def test_a_slow_bsre_times_out_and_the_pact_is_retried(bsre, open_event, hr_a, settings):
    settings.PAKTA_BSRE_TIMEOUT = 0.3
    bsre.delay = 1.5
    signature = pacts.render_and_store(signature_id=_signature(open_event, hr_a).pk,
                                       context=SYSTEM)
    assert signature.seal_status == SealStatus.AWAITING
    entry = AuditEntry.objects.get(action=bsre_queue.ACTION_SEAL_AWAITING)
    assert entry.details["http_status"] is None
    assert "batas waktu" in entry.details["error"]
    bsre.delay = 0
    settings.PAKTA_BSRE_TIMEOUT = 10
    assert pacts.render_and_store(signature_id=signature.pk,
                                  context=SYSTEM).seal_status == SealStatus.SEALED


@pytest.mark.django_db
def test_a_wrong_client_service_account_is_retried_not_refused(bsre, open_event, hr_a,
                                                               settings):
    settings.PAKTA_BSRE_PASSWORD = "salah"
    signature = pacts.render_and_store(signature_id=_signature(open_event, hr_a).pk,
                                       context=SYSTEM)
    assert signature.seal_status == SealStatus.AWAITING
    assert AuditEntry.objects.get(action=bsre_queue.ACTION_SEAL_AWAITING
                                  ).details["http_status"] == 401


@pytest.mark.django_db
def test_a_wrong_seal_code_is_refused_and_not_retried(bsre, open_event, hr_a, settings,
                                                      django_capture_on_commit_callbacks):
    settings.PAKTA_BSRE_SEAL_TOTP = "000000"
    signature = _signature(open_event, hr_a)
    with task_workers.recording_enqueued() as enqueued, \
            django_capture_on_commit_callbacks(execute=True):
        signature = pacts.render_and_store(signature_id=signature.pk, context=SYSTEM)
    assert signature.seal_status == SealStatus.REFUSED and not signature.pdf
    entry = AuditEntry.objects.get(action=bsre_queue.ACTION_SEAL_REFUSED)
    assert "PAKTA_BSRE_SEAL_TOTP" in entry.details["error"]
    assert not [r for r in enqueued if r.task.name == "render_signature_pdf"]


@pytest.mark.django_db
def test_signing_at_the_assembly_is_not_held_up_by_an_outage(
        bsre, open_event, hr_a, settings, django_capture_on_commit_callbacks):
    """The render runs inline here (the immediate backend) and still cannot fail the
    signature: it commits, and the pact waits for its seal."""
    settings.TASKS = IMMEDIATE
    bsre.fail_with = 500
    with django_capture_on_commit_callbacks(execute=True):
        signature = _signature(open_event, hr_a)
    signature.refresh_from_db()
    assert signature.voided_at is None
    assert signature.seal_status == SealStatus.AWAITING
    assert AuditEntry.objects.for_object(signature).filter(
        action="signing.signature.recorded").exists()


@pytest.mark.django_db
def test_screens_say_awaiting_seal_and_offer_no_unsealed_download(bsre, open_event, hr_a,
                                                                  officer):
    bsre.fail_with = 500
    signature = pacts.render_and_store(signature_id=_signature(open_event, hr_a).pk,
                                       context=SYSTEM)
    download = officer.get(reverse("audit:signature_pdf", args=[signature.pk]))
    assert download.status_code == 503
    assert download["Content-Type"].startswith("text/html")
    assert "Menunggu segel BSrE" in download.content.decode()
    assert not AuditEntry.objects.filter(action="audit.download.signature_pdf").exists()
    for url in (reverse("audit:event_detail", args=[open_event.pk]),
                reverse("hr:event_detail", args=[open_event.pk])):
        page = officer.get(url).content.decode()
        assert "1 pakta menunggu segel BSrE" in page
        assert reverse("audit:signature_pdf", args=[signature.pk]) not in page
    recap = officer.get(reverse("audit:event_recap", args=[open_event.pk]))
    assert recap.status_code == 503 and "Menunggu segel BSrE" in recap.content.decode()


@pytest.mark.django_db
def test_the_download_seals_on_demand_once_bsre_is_back(bsre, open_event, hr_a, officer):
    bsre.fail_with = 500
    signature = pacts.render_and_store(signature_id=_signature(open_event, hr_a).pk,
                                       context=SYSTEM)
    bsre.fail_with = None
    calls = len(bsre.calls)
    # Just after a failure a download does not make the auditor wait on BSrE again...
    assert officer.get(reverse("audit:signature_pdf", args=[signature.pk])).status_code == 503
    assert len(bsre.calls) == calls
    cache.delete(bsre_queue.DOWN_KEY)  # ...a while later it tries, and seals on the spot.
    download = officer.get(reverse("audit:signature_pdf", args=[signature.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert seal.check_seal(data, certificates=[
        verification._check_seal(data).certificate]).valid


@pytest.mark.django_db
def test_an_archive_never_carries_an_unsealed_pact(bsre, open_event, hr_a, auditor_a):
    from signings.models import ArchiveJob, ArchiveStatus
    from signings.services import archives

    bsre.fail_with = 500
    _signature(open_event, hr_a)
    job = ArchiveJob.objects.create(agency=open_event.agency, event=open_event,
                                    requested_by=auditor_a)
    with pytest.raises(archives.ArchiveError):
        archives.build_archive(job_id=job.pk, context=SYSTEM)
    job.refresh_from_db()
    assert job.status == ArchiveStatus.FAILED and "menunggu segel BSrE" in job.error
