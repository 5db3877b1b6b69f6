#!/usr/bin/env bash
# Runs a command with the variables of the project's .env added to its environment.
# A variable already set in the environment wins over .env, as the service itself does.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ -f "$root/.env" ]]; then
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    name=${line%%=*}
    value=${line#*=}
    name=${name//[[:space:]]/}
    [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    if [[ -z "${!name+x}" ]]; then
      value=${value%\"}; value=${value#\"}
      export "$name=$value"
    fi
  done < "$root/.env"
fi
exec "$@"
