#!/usr/bin/env bash
# Fetches the web app's third-party libraries from the npm registry at pinned versions,
# checks each tarball against the SHA-256 recorded in vendor.lock, and copies the one file
# the app loads into vendor/. The vendored files are committed: building needs no network.
# Usage: bash crates/app/web/vendor.sh          (fetch, verify, copy)
#        bash crates/app/web/vendor.sh --record (fetch and write the checksums anew)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lock="$here/vendor.lock"
out="$here/public/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# package@version  file inside the tarball  name under vendor/
libraries=(
  "preact@10.29.8 package/dist/preact.module.js preact.js"
  "preact@10.29.8 package/hooks/dist/hooks.module.js preact-hooks.js"
  "htm@3.1.1 package/dist/htm.module.js htm.js"
  "marked@18.2.1 package/lib/marked.esm.js marked.js"
  "dompurify@3.4.18 package/dist/purify.es.mjs purify.js"
)

record=false
[ "${1:-}" = "--record" ] && record=true
$record && : >"$lock.new"
mkdir -p "$out"

for entry in "${libraries[@]}"; do
  read -r spec file name <<<"$entry"
  tarball="$work/$(cd "$work" && npm pack --silent "$spec" | tail -1)"
  sum="$(sha256sum "$tarball" | cut -d' ' -f1)"
  if $record; then
    grep -q "^$spec " "$lock.new" || echo "$spec $sum" >>"$lock.new"
  else
    want="$(awk -v s="$spec" '$1 == s {print $2}' "$lock")"
    [ "$sum" = "$want" ] || { echo "checksum mismatch for $spec: $sum, want ${want:-none}" >&2; exit 1; }
  fi
  mkdir -p "$work/x"
  tar -xzf "$tarball" -C "$work/x" "$file"
  # The hooks import preact by its bare name; the browser loads it by path.
  sed -e 's#from"preact"#from"./preact.js"#g' -e '/^\/\/# sourceMappingURL=/d' \
    "$work/x/$file" >"$out/$name"
  rm -rf "$work/x"
done
$record && mv "$lock.new" "$lock"
(cd "$out" && sha256sum ./*.js) >"$here/vendor.sums"
echo "vendored into $out"
