"""The 400, 403, 404 and 500 pages (signings/views/errors.py): Indonesian, English from the
menu, no database, and the 500 page names the request id that the log line on stderr carries."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from signings import request_id
from signings.views import common, errors


def test_unknown_address_gets_the_indonesian_404_page(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html
    assert response[request_id.HEADER] in html
    assert "Content-Security-Policy" in response.headers
    assert response["Cache-Control"] == "no-store"


def test_another_agencys_object_is_the_same_404_page(client, hr_b, open_event):
    client.force_login(hr_b)
    response = client.get(reverse("hr:event_detail", kwargs={"pk": open_event.pk}))
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
    assert open_event.title not in response.content.decode()


def test_missing_right_gets_the_indonesian_403_page(client, auditor_a):
    client.force_login(auditor_a)
    response = client.get(reverse("hr:employees"))
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_failed_csrf_check_gets_a_403_page_that_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="csrf-failure"' in html
    assert "muat ulang" in html
    assert "CSRF" not in html  # Django's reason is logged, not shown


def test_unknown_host_gets_the_indonesian_400_page(client):
    response = client.get(reverse("login"), headers={"Host": "penyerang.example"})
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


@pytest.fixture
def failing_home(monkeypatch, officer):
    def boom(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(common, "render", boom)
    officer.raise_request_exception = False
    return officer


def test_server_error_shows_the_request_id_and_logs_it_with_the_traceback(failing_home, caplog):
    # The configured handler on stderr carries this filter (test below); caplog's gets it too.
    caplog.handler.addFilter(request_id.RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_home.get(reverse("home"))
    assert response.status_code == 500
    rid = response[request_id.HEADER]
    html = response.content.decode()
    assert "Terjadi kesalahan di server" in html
    assert f"<code>{rid}</code>" in html
    assert "the database went away" not in html
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.request_id == rid
    assert record.exc_info and "the database went away" in caplog.text


def test_the_proxys_request_id_is_the_one_on_the_page_and_in_the_log(failing_home, caplog):
    caplog.handler.addFilter(request_id.RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_home.get(reverse("home"), headers={"X-Request-ID": "nginx-7f3a9c21"})
    assert response[request_id.HEADER] == "nginx-7f3a9c21"
    assert "nginx-7f3a9c21" in response.content.decode()
    assert {r.request_id for r in caplog.records if r.name == "django.request"} == {
        "nginx-7f3a9c21"}


def test_not_found_and_forbidden_log_lines_name_their_request(client, auditor_a, caplog):
    # Django writes these after the middleware chain has returned.
    caplog.handler.addFilter(request_id.RequestIdFilter())
    client.force_login(auditor_a)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        missing = client.get("/tidak-ada/")
        forbidden = client.get(reverse("hr:employees"))
    ids = {r.getMessage().split(":")[0]: r.request_id for r in caplog.records
           if r.name == "django.request"}
    assert ids["Not Found"] == missing[request_id.HEADER]
    assert forbidden[request_id.HEADER] in ids.values()


def test_log_lines_go_to_stderr_and_name_their_request():
    logging_config = settings.LOGGING
    console = logging_config["handlers"]["console"]
    assert console["stream"] == "ext://sys.stderr"
    assert "request_id" in console["filters"]
    assert "%(request_id)s" in logging_config["formatters"][console["formatter"]]["format"]
    assert logging_config["root"]["handlers"] == ["console"]
    # Outside a request the line says "-".
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    request_id.RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_a_broken_500_page_still_answers_in_indonesian_with_the_id(rf, monkeypatch):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    request = rf.get("/")
    request.request_id = "abcdef0123456789"
    response = errors.server_error(request)
    assert response.status_code == 500
    assert response.content.decode() == (
        "Terjadi kesalahan di server. Kode permintaan: abcdef0123456789")


@pytest.mark.parametrize("handler, status, words", [
    (errors.bad_request, 400, "Permintaan tidak dapat diproses"),
    (errors.permission_denied, 403, "Akses ditolak"),
    (errors.page_not_found, 404, "Halaman tidak ditemukan"),
    (errors.server_error, 500, "Terjadi kesalahan di server"),
])
def test_error_pages_need_no_database(rf, handler, status, words):
    # No django_db mark: any query here raises, and the test fails.
    request = rf.get("/")
    response = handler(request) if status == 500 else handler(request, Exception())
    assert response.status_code == status
    assert words in response.content.decode()


@pytest.mark.parametrize("url, status, words", [
    ("/tidak-ada/", 404, "Page not found"),
])
def test_error_pages_in_english_from_the_language_menu(client, url, status, words):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert words in html
    assert '<html lang="en">' in html


def test_english_500_page(failing_home):
    failing_home.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = failing_home.get(reverse("home"))
    assert response.status_code == 500
    assert "Something went wrong on the server" in response.content.decode()
