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
  "@highlightjs/cdn-assets@11.11.1 package/es/core.min.js highlight/core.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/rust.min.js highlight/rust.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/python.min.js highlight/python.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/javascript.min.js highlight/javascript.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/typescript.min.js highlight/typescript.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/bash.min.js highlight/bash.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/json.min.js highlight/json.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/go.min.js highlight/go.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/java.min.js highlight/java.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/sql.min.js highlight/sql.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/yaml.min.js highlight/yaml.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/xml.min.js highlight/xml.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/css.min.js highlight/css.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/c.min.js highlight/c.js"
  "@highlightjs/cdn-assets@11.11.1 package/es/languages/cpp.min.js highlight/cpp.js"
)

declare -A tarballs
record=false
[ "${1:-}" = "--record" ] && record=true
$record && : >"$lock.new"
mkdir -p "$out"

for entry in "${libraries[@]}"; do
  read -r spec file name <<<"$entry"
  tarball="${tarballs[$spec]:-}"
  if [ -z "$tarball" ]; then
    tarball="$work/$(cd "$work" && npm pack --silent "$spec" | tail -1)"
    tarballs[$spec]="$tarball"
  fi
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
  mkdir -p "$(dirname "$out/$name")"
  sed -e 's#from"preact"#from"./preact.js"#g' -e '/^\/\/# sourceMappingURL=/d' \
    "$work/x/$file" >"$out/$name"
  rm -rf "$work/x"
done
$record && mv "$lock.new" "$lock"
(cd "$out" && find . -name '*.js' | sort | xargs sha256sum) >"$here/vendor.sums"
echo "vendored into $out"
