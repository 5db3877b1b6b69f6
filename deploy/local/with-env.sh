#!/usr/bin/env bash
# Runs a command with the variables of the project's .env added to its environment.
# A variable already set in the environment wins over .env, as the service itself does.
# The rules are the service's own (crates/app/src/dotenv.rs), and a test runs both on
# the same file: blank lines and lines starting with # are skipped; NAME=value, spaces
# and tabs around the name and the value removed, then one pair of surrounding " or '
# removed; nothing else is interpreted (# $ \ stay as written); a name given twice
# keeps its last value; a bad line stops here.
set -euo pipefail
shopt -s extglob
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
blank=$' \t'
declare -A from_file=()
if [[ -f "$root/.env" ]]; then
  number=0
  while IFS= read -r line || [[ -n "$line" ]]; do
    number=$((number + 1))
    line=${line%$'\r'}
    content=${line##+([$blank])}
    [[ -z "$content" || "$content" == '#'* ]] && continue
    if [[ "$line" != *=* ]]; then
      echo "with-env.sh: $root/.env line $number: expected NAME=value" >&2
      exit 2
    fi
    name=${line%%=*}
    value=${line#*=}
    name=${name##+([$blank])}
    name=${name%%+([$blank])}
    if [[ ! "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
      echo "with-env.sh: $root/.env line $number: the name must be letters, digits and _, not starting with a digit" >&2
      exit 2
    fi
    value=${value##+([$blank])}
    value=${value%%+([$blank])}
    if ((${#value} >= 2)) && [[ "$value" == \"*\" || "$value" == \'*\' ]]; then
      value=${value:1:${#value}-2}
    fi
    if [[ -z "${!name+x}" || -n "${from_file[$name]:-}" ]]; then
      from_file[$name]=1
      export "$name=$value"
    fi
  done <"$root/.env"
fi
exec "$@"
