"""Logging in, lockout after repeated failures, session expiry, and the HR navigation."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_officer_logs_in_with_correct_password(client, hr_a):
    response = client.post(reverse("login"), {"username": "hr_a",
                                              "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == hr_a


def test_wrong_password_shows_form_again_without_logging_in(client, hr_a):
    response = client.post(reverse("login"), {"username": "hr_a", "password": "wrong-one"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["user"].is_authenticated


def test_repeated_failures_lock_the_account_with_the_indonesian_page(client, hr_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "hr_a", "password": "wrong-one"})
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "hr_a",
                                              "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_passwords_are_hashed_with_scrypt(hr_a):
    assert hr_a.password.startswith("scrypt$")


def test_sessions_expire_on_idle_and_on_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_cookie_is_not_persistent(client, hr_a):
    response = client.post(reverse("login"), {"username": "hr_a",
                                              "password": factories.PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_expired_session_sends_the_officer_back_to_login(client, hr_a):
    client.force_login(hr_a)
    assert client.get(reverse("hr:employees")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("hr:employees"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_nav_shows_hr_items_only_to_those_who_manage(client, hr_a, auditor_a):
    client.force_login(hr_a)
    assert reverse("hr:employees") in client.get(reverse("home")).content.decode()
    client.force_login(auditor_a)
    assert reverse("hr:employees") not in client.get(reverse("home")).content.decode()
