# Shared by bin/run and bin/test: find Python 3.12+, make .venv, install the pinned requirements.
# Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local candidate
  # Newest first; pyenv's shims answer for versions that are installed but not selected, so
  # its version folders are searched too.
  for candidate in "${PAKTA_PYTHON:-}" python3.14 python3.13 python3.12 \
                   $(ls -d "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 \
                           /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] 2>/dev/null \
                     | sort -t/ -k1,1 -V -r) \
                   python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

APT_UPDATED=0
apt_install() {
  # Installs Debian packages when we may; otherwise says exactly what to install.
  local missing=()
  local pkg
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then
    say "Installing system packages: ${missing[*]}"
    if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "Missing system packages: ${missing[*]}. Install them (Debian/Ubuntu: apt-get install ${missing[*]}) and run again."
  fi
}

# WeasyPrint needs Pango; without libharfbuzz-subset0 it silently renders 2.5x slower.
system_packages_for_pdf() { apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; }

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
    local py
    py="$(find_python)" || die "Pakta needs Python 3.12 or newer (Django 6). Install python3.12 or python3.13 (e.g. apt-get install python3.13 python3.13-venv, or pyenv install 3.13) and run again."
    say "Creating virtual environment with $py ($("$py" --version 2>&1))"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
  fi
  local want have
  want="$(sha256sum requirements.txt | cut -d' ' -f1)"
  have="$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)"
  if [ "$want" != "$have" ]; then
    say "Installing Python packages (requirements.txt)"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r requirements.txt
    echo "$want" > "$VENV/.requirements.sha256"
  fi
}

# Debian's redis-server on 127.0.0.1:6379, started if nothing answers there (like PostgreSQL in
# bin/test): the RQ task backend (TASKS_BACKEND=rq) and the benchmarks use it. Nothing is kept
# on disk: a queue of ids, rebuilt by the application's own rows after a restart.
start_redis() {
  apt_install redis-server
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  say "Starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "Redis did not start on 127.0.0.1:6379 (see /var/log/redis/ci.log)."
}
