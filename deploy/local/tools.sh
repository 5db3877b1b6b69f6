#!/usr/bin/env bash
# The tools `make lint` runs besides cargo's own, at pinned versions, installed when missing
# into .local/tools (ignored by git):
#   helm                (built from the Go module proxy)       .local/tools/bin/helm
#   kubernetes-validate (PyPI, in a venv; schemas bundled)     .local/tools/bin/kubernetes-validate
#   cargo-deny, cargo-machete (crates.io, cargo install)       .local/tools/bin/cargo-{deny,machete}
#
#   deploy/local/tools.sh        install what is missing or of another version
#
# Each tool is checked by the version it reports, so a second run only asks each tool its
# version. Changing a pin here installs the new version on the next run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.local/tools"
BIN="$TOOLS/bin"
LOGS="$TOOLS/log"

HELM_VERSION=v3.21.4
# helm v3.21's go.mod asks for Go 1.26.0.
HELM_MIN_GO=1.26
KUBERNETES_VALIDATE_VERSION=1.37.0
CARGO_DENY_VERSION=0.20.2
CARGO_MACHETE_VERSION=0.9.2

export DEBIAN_FRONTEND=noninteractive

log() { printf '%s\n' "$*" >&2; }

# Stop naming the tool, with the end of its install log.
fail() {
  local name=$1 logfile=$2
  log "tools.sh: installing $name failed"
  if [[ -f $logfile ]]; then
    log "---- last lines of $logfile ----"
    tail -n 30 "$logfile" >&2 || true
    log "----"
  fi
  exit 1
}

apt_install() {
  ((EUID == 0)) || { log "tools.sh: installing $* needs root (apt-get)"; exit 1; }
  local aptlog="$LOGS/apt.log"
  log "apt-get install $*"
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; } >>"$aptlog" 2>&1 ||
    fail "$*" "$aptlog"
}

# The go command: on PATH, where the official archive unpacks, or Debian's.
go_cmd() {
  if command -v go >/dev/null; then
    echo go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    apt_install golang-go
    echo go
  fi
}

# True when Go version $1 (e.g. go1.26.8) is at least $2 (e.g. 1.26).
go_at_least() {
  local have=${1#go} want=$2
  [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1) == "$want" ]]
}

install_helm() {
  local bin="$BIN/helm" have=''
  [[ -x $bin ]] && have=$("$bin" version --template '{{.Version}}' 2>/dev/null || true)
  [[ $have == "$HELM_VERSION" ]] && return 0
  local go go_version
  go=$(go_cmd)
  go_version=$("$go" env GOVERSION)
  go_at_least "$go_version" "$HELM_MIN_GO" || {
    log "tools.sh: helm $HELM_VERSION needs Go $HELM_MIN_GO or newer; $go is $go_version"
    exit 1
  }
  log "building helm $HELM_VERSION with $go_version"
  # helm reports the version its release build stamps in; `go install` alone leaves a
  # placeholder, which the check above could not tell from another version.
  GOBIN="$BIN" "$go" install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$LOGS/helm.log" 2>&1 || fail helm "$LOGS/helm.log"
}

install_kubernetes_validate() {
  local venv="$TOOLS/venv-kubernetes-validate"
  [[ -x $venv/bin/kubernetes-validate ]] &&
    [[ $("$venv/bin/kubernetes-validate" --version 2>/dev/null) == *"$KUBERNETES_VALIDATE_VERSION"* ]] &&
    [[ -L $BIN/kubernetes-validate ]] && return 0
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
  { python3 -m venv --clear "$venv" &&
    "$venv/bin/pip" install -q "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"; } \
    >"$LOGS/kubernetes-validate.log" 2>&1 || fail kubernetes-validate "$LOGS/kubernetes-validate.log"
  ln -sf "$venv/bin/kubernetes-validate" "$BIN/kubernetes-validate"
}

# cargo install of crate $1 at version $2, whose binary prints $3 for --version.
install_cargo_tool() {
  local crate=$1 version=$2 reported=$3 bin="$BIN/$1"
  [[ -x $bin && $("$bin" --version 2>/dev/null) == "$reported" ]] && return 0
  log "installing $crate $version"
  # --root .local/tools puts the binary in .local/tools/bin, beside the others.
  cargo install --quiet --locked --root "$TOOLS" "$crate" --version "$version" \
    >"$LOGS/$crate.log" 2>&1 || fail "$crate" "$LOGS/$crate.log"
}

mkdir -p "$BIN" "$LOGS"
install_helm
install_kubernetes_validate
install_cargo_tool cargo-deny "$CARGO_DENY_VERSION" "cargo-deny $CARGO_DENY_VERSION"
install_cargo_tool cargo-machete "$CARGO_MACHETE_VERSION" "$CARGO_MACHETE_VERSION"
