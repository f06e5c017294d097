#!/usr/bin/env bash
# Re-create static/vendor/ from the npm registry using the exact pins in
# package.json. Maintainer tool only: Pakta serves the committed files and
# never downloads anything at setup or run time.
#
# Usage: bin/vendor-assets.sh          (from anywhere; needs node + npm)
#
# To upgrade a package: change its pin in package.json (exact version, no
# ranges), run this script, review `git diff --stat static/vendor`, update
# static/vendor/VERSIONS.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/pakta-vendor.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

pin() {  # exact version of $1 from package.json
  node -e '
    const v = require(process.argv[1]).dependencies[process.argv[2]];
    if (!/^\d+\.\d+\.\d+$/.test(v || "")) { console.error("not an exact pin: " + process.argv[2] + "=" + v); process.exit(1); }
    console.log(v);' "$ROOT/package.json" "$1"
}

fetch() {  # npm pack NAME@VERSION into $TMP/NAME and print the unpacked dir
  local name="$1" version dir tgz
  version="$(pin "$name")"
  dir="$TMP/$name"
  mkdir -p "$dir"
  tgz="$(cd "$dir" && npm pack --silent "$name@$version")"
  tar -xzf "$dir/$tgz" -C "$dir"
  echo "  $name@$version" >&2
  echo "$dir/package"
}

# Copy a JS/CSS file, dropping sourceMappingURL comments (no .map files are
# vendored, and ManifestStaticFilesStorage fails on missing referenced files).
copy_strip() {
  mkdir -p "$(dirname "$2")"
  sed -E '/^[[:space:]]*(\/\/|\/\*)[#@] sourceMappingURL=.*$/d' "$1" > "$2"
}

echo "Vendoring into $DEST" >&2
rm -rf "$DEST/bootstrap" "$DEST/bootstrap-icons" "$DEST/htmx" "$DEST/signature_pad" "$DEST/idb" \
  "$DEST/noble-hashes"
mkdir -p "$DEST"

p="$(fetch bootstrap)"
copy_strip "$p/dist/css/bootstrap.min.css"       "$DEST/bootstrap/bootstrap.min.css"
copy_strip "$p/dist/js/bootstrap.bundle.min.js"  "$DEST/bootstrap/bootstrap.bundle.min.js"
cp "$p/LICENSE" "$DEST/bootstrap/LICENSE"

p="$(fetch bootstrap-icons)"
copy_strip "$p/font/bootstrap-icons.min.css" "$DEST/bootstrap-icons/bootstrap-icons.min.css"
mkdir -p "$DEST/bootstrap-icons/fonts"
cp "$p/font/fonts/bootstrap-icons.woff2" "$p/font/fonts/bootstrap-icons.woff" "$DEST/bootstrap-icons/fonts/"
cp "$p/LICENSE" "$DEST/bootstrap-icons/LICENSE"

p="$(fetch htmx.org)"
copy_strip "$p/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
cp "$p/LICENSE" "$DEST/htmx/LICENSE"

p="$(fetch signature_pad)"
copy_strip "$p/dist/signature_pad.umd.min.js" "$DEST/signature_pad/signature_pad.umd.min.js"
cp "$p/LICENSE" "$DEST/signature_pad/LICENSE"

# idb: build/index.js is a self-contained ES module (no imports);
# build/umd.js is the minified UMD build (classic <script> -> window.idb).
p="$(fetch idb)"
copy_strip "$p/build/index.js" "$DEST/idb/idb.js"
copy_strip "$p/build/umd.js"   "$DEST/idb/idb.umd.min.js"
cp "$p/LICENSE" "$DEST/idb/LICENSE"
if grep -nE '^[[:space:]]*(import|export)[^;]*from[[:space:]]' "$DEST/idb/idb.js"; then
  echo "idb.js now imports other modules: vendor them next to it" >&2
  exit 1
fi

# @noble/hashes: ES modules importing each other by relative path ("./utils.js"). Only the
# files scrypt and sha256 need; the kiosk's import map sends each relative import to the
# hashed file name (see templates/kiosk/app.html), so all of them must stay together.
p="$(fetch @noble/hashes)"
mkdir -p "$DEST/noble-hashes"
for f in scrypt pbkdf2 hmac sha2 _md _u64 utils; do
  copy_strip "$p/$f.js" "$DEST/noble-hashes/$f.js"
done
cp "$p/LICENSE" "$DEST/noble-hashes/LICENSE"
if grep -hoE 'from "\./[^"]+"' "$DEST/noble-hashes/"*.js | sort -u \
    | grep -vE '"\./(scrypt|pbkdf2|hmac|sha2|_md|_u64|utils)\.js"'; then
  echo "@noble/hashes imports a file not vendored: add it above and to the import map" >&2
  exit 1
fi

# No vendored file may still point at a file we did not copy.
if grep -rlE 'sourceMappingURL=' "$DEST" --include='*.js' --include='*.css'; then
  echo "sourceMappingURL comments left in the files above" >&2
  exit 1
fi

echo "Done. Now update static/vendor/VERSIONS.md if a version changed." >&2
