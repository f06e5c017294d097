"""`manage.py bsre_check`: the connection test an administrator runs after enrolment."""

import pytest
from django.core.management import CommandError, call_command

from signings.models import SealStatus
from signings.services import pacts
from signings.services.context import AuditContext
from tests import factories


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("bsre_check", *args, stdout=out)
    return out.getvalue()


def test_reachable_and_the_account_accepted(bsre):
    assert "reachable, account accepted" in _run()
    assert bsre.paths() == ["/api/v2/user/check/status"]


def test_a_person_status_and_the_seal_code(bsre):
    bsre.enrol(nik="3201010101900001", email="a@contoh.go.id", name="A", passphrase="p")
    out = _run("--nik", "3201010101900001", "--seal")
    assert "ISSUE (can sign)" in out and "BSrE gave a seal code" in out


@pytest.mark.parametrize(("setup", "words"), [
    ({"fail_with": 503}, "gangguan"),
    ({"fail_with": 401}, "PAKTA_BSRE_PASSWORD"),
])
def test_failures_exit_non_zero_in_words(bsre, setup, words):
    for name, value in setup.items():
        setattr(bsre, name, value)
    with pytest.raises(CommandError, match=words):
        _run()


def test_a_wrong_seal_code_fails(bsre, settings):
    settings.PAKTA_BSRE_SEAL_TOTP = "000000"
    with pytest.raises(CommandError, match="PAKTA_BSRE_SEAL_TOTP"):
        _run("--seal")


@pytest.mark.django_db
def test_drain_queues_the_refused_after_the_cause_is_fixed(bsre, open_event, hr_a, settings):
    good = settings.PAKTA_BSRE_SEAL_TOTP
    settings.PAKTA_BSRE_SEAL_TOTP = "000000"
    signature = factories.signature(open_event, open_event.expected.first().employee,
                                    officer=hr_a)
    refused = pacts.render_and_store(signature_id=signature.pk,
                                     context=AuditContext.system("test"))
    assert refused.seal_status == SealStatus.REFUSED
    settings.PAKTA_BSRE_SEAL_TOTP = good
    settings.TASKS = {"default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert "Queued 0 pact(s)" in _run("--drain")
    assert "Queued 1 pact(s)" in _run("--drain", "--refused")
    refused.refresh_from_db()
    assert refused.seal_status == SealStatus.SEALED
