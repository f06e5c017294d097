"""README's first command on a fresh machine: SQLite, every migration, the demo. The rest of
the suite runs on PostgreSQL, so a migration or a demo step that only works there (raw SQL with
PostgreSQL casts, an instance that only PostgreSQL's lock read happens to refresh) shows here.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "SECRET_KEY", "TASKS_BACKEND", "CACHE_URL"}}
    env.update({"DEBUG": "1", "PAKTA_VAR_DIR": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_sqlite_migrates_and_loads_the_demo_twice(tmp_path):
    migrated = manage(tmp_path, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    first = manage(tmp_path, "load_demo")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Demo data ready" in first.stdout
    again = manage(tmp_path, "load_demo")
    assert again.returncode == 0, again.stderr[-3000:]
    # Loading twice changes nothing: the same counts.
    assert again.stdout.splitlines()[0] == first.stdout.splitlines()[0]
    crawled = manage(tmp_path, "shell", "-c", CRAWL)
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    pages = int(crawled.stdout.split("crawled")[-1].split()[0])
    assert pages > 100, crawled.stdout[-3000:]


# Every page and download an officer and an auditor reach by links from home, on the demo:
# a query only PostgreSQL understands would answer 500 here. Links that change something
# (POST forms) are not followed; GET links never change anything.
CRAWL = """
import re
from django.contrib.auth import get_user_model
from django.test import Client
bad, seen = [], set()
for user in ("hr.kotim", "auditor.kotim"):
    client = Client(HTTP_HOST="127.0.0.1")  # the hosts a DEBUG run allows
    client.force_login(get_user_model().objects.get(username=user))
    queue = ["/"]
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if (user, url) in seen:
            continue
        seen.add((user, url))
        response = client.get(url)
        if response.status_code >= 500 or (url == "/" and response.status_code != 200):
            bad.append((user, url, response.status_code))
        if response.get("Content-Type", "").startswith("text/html"):
            for link in re.findall(r'href="(/(?:sdm|audit)/[^"#?]*)"', response.content.decode()):
                if (user, link) not in seen and not link.endswith(("/keluar/", ".zip")):
                    queue.append(link)
assert not bad, bad
print("crawled", len(seen))
"""
