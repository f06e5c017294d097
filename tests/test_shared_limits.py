"""Limits hold per client across worker processes: the cache every worker shares (CACHE_URL).

The test process itself uses a local cache (tests/settings.py); here the database cache is
exercised directly and through real gunicorn workers, and so is Redis when it runs.
"""

from __future__ import annotations

import datetime
import http.client
import random
import re
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from pakta.cache import AtomicDatabaseCache
from pakta.env import cache_settings
from signings.views import verify
from tests import factories
from tests.concurrency import at_once
from tests.servers import gunicorn

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


CACHE_URLS = [
    pytest.param("", id="database"),
    pytest.param(REDIS_URL, id="redis", marks=pytest.mark.skipif(
        not redis_is_up(), reason="no Redis at 127.0.0.1:6379 (bin/test starts one)")),
]


# -- CACHE_URL -------------------------------------------------------------------------------

def test_without_cache_url_every_worker_shares_the_database_cache():
    default = cache_settings("")["default"]
    assert default["BACKEND"] == "pakta.cache.AtomicDatabaseCache"
    assert default["LOCATION"] == "pakta_cache"
    assert cache_settings("db://")["default"]["BACKEND"] == "pakta.cache.AtomicDatabaseCache"


def test_a_redis_url_picks_djangos_redis_cache():
    default = cache_settings("redis://127.0.0.1:6379/1")["default"]
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_an_unknown_cache_url_stops_startup():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL='memcached://x'"):
        cache_settings("memcached://x")


# -- the database cache's counters -----------------------------------------------------------

@pytest.fixture
def db_cache(db):
    return AtomicDatabaseCache("pakta_cache", {"KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}"})


def _expires(key: str, cache: AtomicDatabaseCache) -> datetime.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM pakta_cache WHERE cache_key = %s",
                       [cache.make_and_validate_key(key)])
        return cursor.fetchone()[0]


def test_the_migration_made_the_cache_table(db):
    assert "pakta_cache" in connection.introspection.table_names()


def test_incr_keeps_the_window_it_counts_in(db_cache):
    assert db_cache.add("k", 0, 600)
    window_end = _expires("k", db_cache)
    assert db_cache.incr("k") == 1
    assert db_cache.incr("k", 5) == 6
    assert db_cache.get("k") == 6
    # Django's own DatabaseCache.incr is a set(): the default timeout (300 s) would replace it.
    assert _expires("k", db_cache) == window_end
    assert window_end > timezone.now() + datetime.timedelta(seconds=590)


def test_incr_of_a_missing_or_expired_key_fails_like_every_cache(db_cache):
    with pytest.raises(ValueError):
        db_cache.incr("missing")
    db_cache.set("old", 3, 600)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pakta_cache SET expires = now() - interval '1 second' "
                       "WHERE cache_key = %s", [db_cache.make_and_validate_key("old")])
    with pytest.raises(ValueError):
        db_cache.incr("old")
    assert db_cache.add("old", 0, 600)  # an expired window is replaced
    assert db_cache.incr("old") == 1


def test_add_leaves_a_running_window_alone(db_cache):
    assert db_cache.add("k", 0, 600)
    db_cache.incr("k")
    assert not db_cache.add("k", 0, 600)
    assert db_cache.get("k") == 1


@pytest.mark.django_db(transaction=True)
def test_counting_from_many_threads_at_once_loses_no_hit():
    """Each thread has its own database connection, as each gunicorn worker has."""
    cache = AtomicDatabaseCache("pakta_cache", {"KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}"})
    threads, hits = 8, 25

    def count() -> list[int]:
        seen = []
        for _ in range(hits):
            cache.add("k", 0, 600)
            seen.append(cache.incr("k"))
        return seen

    counts = [n for seen in at_once(count, threads) for n in seen]
    assert sorted(counts) == list(range(1, threads * hits + 1))


# -- real workers ----------------------------------------------------------------------------

def loopback_clients(n: int) -> list[str]:
    """Client addresses of this test alone (127.0.0.0/8 is all loopback on Linux), so runs
    sharing one Redis never share a counter."""
    chosen = random.sample(range(1, 240 * 250), n)  # second octet 10..249
    return [f"127.{10 + x // 250}.{x % 250}.{random.randint(1, 250)}" for x in chosen]


class Browser:
    """One client address, with the CSRF cookie and token the upload form needs."""

    def __init__(self, server, address: str):
        self.server = server
        self.address = address
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60,
                                          source_address=(self.address, 0))
        try:
            conn.request(method, path, body=body or None,
                         headers={"Cookie": self.cookie, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read().decode(), response.getheader("Set-Cookie")
        finally:
            conn.close()

    def open_form(self, path: str) -> None:
        status, page, set_cookie = self.request("GET", path)
        assert status == 200, page[:500]
        self.cookie = set_cookie.split(";")[0]
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def upload(self, path: str) -> int:
        body = encode_multipart(BOUNDARY, {
            "csrfmiddlewaretoken": self.token,
            "document": SimpleUploadedFile("pakta.pdf", b"bukan PDF", "application/pdf"),
        })
        # Whatever the client claims: the address counted is the connection's.
        spoof = f"10.0.{random.randint(0, 255)}.{random.randint(1, 254)}"
        status, _page, _cookie = self.request("POST", path, body, {
            "Content-Type": MULTIPART_CONTENT, "X-Forwarded-For": spoof})
        return status


@pytest.mark.parametrize("cache_url", CACHE_URLS)
@pytest.mark.django_db(transaction=True)
def test_the_upload_limit_holds_per_client_across_four_workers(cache_url, tmp_path, open_event,
                                                               employee_a, hr_a):
    signature = factories.signature(open_event, employee_a, officer=hr_a)
    path = f"/v/{signature.verification_code}/"
    first, second = loopback_clients(2)
    attempts = 2 * verify.UPLOADS_PER_WINDOW
    with gunicorn(tmp_path, workers=4, cache_url=cache_url) as server:
        client = Browser(server, first)
        client.open_form(path)
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _i: client.upload(path), range(attempts)))
        served_by = server.worker_pids()
        other = Browser(server, second)
        other.open_form(path)
        other_status = other.upload(path)
    print(f"{cache_url or 'database'}: {statuses.count(200)} of {attempts} uploads passed, "
          f"{statuses.count(429)} refused, served by {len(served_by)} workers")
    assert statuses.count(200) == verify.UPLOADS_PER_WINDOW
    assert statuses.count(429) == attempts - verify.UPLOADS_PER_WINDOW
    assert len(served_by) >= 2, "one worker served everything: nothing shared was shown"
    assert other_status == 200  # another client is not blocked


@pytest.mark.django_db(transaction=True)
def test_a_login_lockout_holds_across_four_workers(tmp_path, settings):
    user = factories.user("petugas")
    first, second = loopback_clients(2)
    with gunicorn(tmp_path, workers=4) as server:
        attacker = Browser(server, first)

        def log_in(browser: Browser, password: str) -> int:
            browser.open_form("/masuk/")
            body = (f"csrfmiddlewaretoken={browser.token}&username={user.username}"
                    f"&password={password}").encode()
            status, _page, _cookie = browser.request(
                "POST", "/masuk/", body, {"Content-Type": "application/x-www-form-urlencoded"})
            return status

        # At once, each from its own session at the same address: sequential requests may all
        # land on one worker, which would show nothing shared.
        with ThreadPoolExecutor(max_workers=settings.AXES_FAILURE_LIMIT) as pool:
            wrong = list(pool.map(lambda i: log_in(Browser(server, first), f"salah-{i}"),
                                  range(settings.AXES_FAILURE_LIMIT)))
        locked = log_in(attacker, factories.PASSWORD)
        served_by = server.worker_pids()
        elsewhere = log_in(Browser(server, second), factories.PASSWORD)
    # The form again, with an error; the attempt that reaches the limit may already be refused.
    assert set(wrong) <= {200, 429} and wrong.count(200) >= settings.AXES_FAILURE_LIMIT - 1
    assert locked == 429  # even the right password, from whichever worker
    assert len(served_by) >= 2
    assert elsewhere == 302  # the same user from another address logs in


# -- who the client is -----------------------------------------------------------------------

def _request(remote: str, forwarded: str = ""):
    from django.test import RequestFactory

    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_the_client_is_the_connections_other_end_whatever_it_claims(settings):
    from signings.services.context import client_ip

    settings.PAKTA_TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_hop_it_appended(settings):
    from signings.services.context import client_ip

    settings.PAKTA_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    # The client wrote the first entry itself; the proxies appended the rest.
    assert client_ip(_request("127.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.5")) == "203.0.113.7"
    assert client_ip(_request("127.0.0.1")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "bukan-alamat")) == "127.0.0.1"
    # Anyone else's X-Forwarded-For is ignored.
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_bad_trusted_proxy_stops_startup():
    from tests.test_settings import import_settings

    result = import_settings({"SECRET_KEY": "x", "PAKTA_TRUSTED_PROXIES": "10.0.0.0/24,proxy"})
    assert result.returncode != 0
    assert "PAKTA_TRUSTED_PROXIES: 'proxy'" in result.stderr


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_upload_limit(client, settings, open_event,
                                                              employee_a, hr_a):
    settings.PAKTA_TRUSTED_PROXIES = ["127.0.0.1"]
    signature = factories.signature(open_event, employee_a, officer=hr_a)
    path = f"/v/{signature.verification_code}/"

    def upload(address: str) -> int:
        document = SimpleUploadedFile("pakta.pdf", b"bukan PDF", "application/pdf")
        return client.post(path, {"document": document}, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR=address).status_code

    statuses = [upload("203.0.113.7") for _ in range(verify.UPLOADS_PER_WINDOW + 1)]
    assert statuses == [200] * verify.UPLOADS_PER_WINDOW + [429]
    assert upload("203.0.113.8") == 200
