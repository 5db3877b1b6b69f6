#!/usr/bin/env bash
# Writes the secrets the Docker stack reads (deploy/secrets/app_master_key, jwt_secret), once:
# an existing file is kept, because a new master key would make every stored OpenRouter key
# unreadable. The folder is private to its owner; the files are readable by the container's
# user, which Compose bind-mounts them for.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
write() {
  local file="$dir/$1" bytes=$2
  if [[ -s $file ]]; then
    echo "kept $file"
    return
  fi
  (umask 022 && head -c "$bytes" /dev/urandom | base64 -w0 > "$file")
  echo "wrote $file"
}
write app_master_key 32
write jwt_secret 48
echo "back these up: without app_master_key the stored OpenRouter keys cannot be opened"
