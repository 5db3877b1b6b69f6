# polychat — the front door. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
WITH_ENV := bash deploy/local/with-env.sh
DOMAIN_CRATE := polychat-domain
INFRA_CRATES := diesel|mongodb|fred|actix|async-openai|reqwest|redis|sqlx|pgvector|hyper

.PHONY: help services services-stop services-status migrate admin run run-offline build sdk-venv ui-venv fuzz-venv web-vendor test tools lint audit deny-db fmt eval detector-train bench profile

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

services: ## Install (when missing) and start PostgreSQL+pgvector, FerretDB, Redis, embeddings; write .env
	@bash deploy/local/services.sh up

services-stop: ## Stop the local services this project started
	@bash deploy/local/services.sh down

services-status: ## Show which local services answer
	@bash deploy/local/services.sh status

build: ## Build the workspace (debug)
	$(CARGO) build --workspace

migrate: services ## Apply the database migrations
	$(WITH_ENV) $(CARGO) run --quiet -p polychat-app -- migrate

admin: migrate ## Make USERNAME an admin (the first admin is made this way): make admin USERNAME=name
	@test -n "$(USERNAME)" || { echo "usage: make admin USERNAME=name" >&2; exit 2; }
	$(WITH_ENV) $(CARGO) run --quiet -p polychat-app -- admin grant "$(USERNAME)"

run: services ## Start services, migrate, and serve the API on HTTP_ADDR (127.0.0.1:8080)
	$(CARGO) build --release -p polychat-app
	$(WITH_ENV) target/release/polychat migrate
	$(WITH_ENV) target/release/polychat serve

run-offline: services ## Like `make run`, with the bundled mock upstream answering instead of OpenRouter (no internet needed)
	$(CARGO) build --release -p polychat-app -p polychat-mock-upstream
	$(WITH_ENV) target/release/polychat migrate
	@target/release/mock-upstream & mock=$$!; trap 'kill $$mock 2>/dev/null' EXIT; \
	  echo "mock upstream on 127.0.0.1:8090: every model answers, any key is accepted"; \
	  OPENROUTER_BASE_URL=http://127.0.0.1:8090/api/v1 $(WITH_ENV) target/release/polychat serve

SDK_VENV := .local/venv-sdk
sdk-venv: ## The official OpenAI Python SDK (pinned) the tests drive /v1 with
	@[ -x $(SDK_VENV)/bin/python ] && $(SDK_VENV)/bin/pip freeze | grep -qxF -f crates/app/tests/sdk/requirements.txt || \
	  { python3 -m venv $(SDK_VENV) && $(SDK_VENV)/bin/pip install -q -r crates/app/tests/sdk/requirements.txt; }

UI_VENV := .local/venv-ui
ui-venv: ## Debian's Chromium and Playwright for Python (pinned) the browser tests drive the web app with
	@bash deploy/local/chromium.sh
	@[ -x $(UI_VENV)/bin/python ] && $(UI_VENV)/bin/pip freeze 2>/dev/null | grep -qxF -f crates/app/tests/ui/requirements.txt || \
	  { python3 -m venv $(UI_VENV) && $(UI_VENV)/bin/pip install -q -r crates/app/tests/ui/requirements.txt; }

FUZZ_VENV := .local/venv-fuzz
fuzz-venv: ## Schemathesis (pinned) the tests fuzz the API from its OpenAPI document with
	@[ -x $(FUZZ_VENV)/bin/python ] && $(FUZZ_VENV)/bin/pip freeze 2>/dev/null | grep -qxF -f crates/app/tests/fuzz/requirements.txt || \
	  { python3 -m venv $(FUZZ_VENV) && $(FUZZ_VENV)/bin/pip install -q -r crates/app/tests/fuzz/requirements.txt; }

web-vendor: ## Fetch the web app's libraries from npm at their pinned versions, checking the recorded SHA-256s
	@bash crates/app/web/vendor.sh

test: services sdk-venv ui-venv fuzz-venv ## Start services, then run the whole test suite against them (screenshots: target/ui-screenshots/)
	$(WITH_ENV) $(CARGO) test --workspace --no-fail-fast

TOOLS := .local/tools/bin
CHART := deploy/helm/polychat
# The oldest Kubernetes the chart is checked against (its API versions and fields).
KUBE_VERSION := 1.32.0
tools: ## Install (when missing) the pinned helm, kubernetes-validate, cargo-deny and cargo-machete into .local/tools
	@bash deploy/local/tools.sh

# cargo deny reads the dependency graph offline (--frozen), from the crates on disk, which
# `cargo fetch` puts there on a machine that has not built the workspace yet.
lint: audit tools deny-db ## rustfmt, clippy (warnings are errors), the dependency rule, cargo audit/deny/machete, the Helm chart
	$(CARGO) fmt --all --check
	@for values in $(CHART)/ci/*.yaml; do \
	  $(TOOLS)/helm lint --strict --quiet $(CHART) --values $$values >/dev/null || \
	    { $(TOOLS)/helm lint --strict $(CHART) --values $$values; exit 1; }; \
	  $(TOOLS)/helm template polychat $(CHART) --values $$values --kube-version $(KUBE_VERSION) | \
	    $(TOOLS)/kubernetes-validate --strict --quiet -k $(KUBE_VERSION) -; \
	done; echo "helm chart: lint and Kubernetes $(KUBE_VERSION) schemas ok"
	$(CARGO) fetch --locked --quiet
	$(TOOLS)/cargo-deny --frozen check advisories bans licenses sources
	$(TOOLS)/cargo-machete
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@bad=$$($(CARGO) tree -p $(DOMAIN_CRATE) -e normal --prefix none | grep -E '^($(INFRA_CRATES))' || true); \
	if [ -n "$$bad" ]; then echo "dependency rule broken: $(DOMAIN_CRATE) depends on:"; echo "$$bad"; exit 1; fi; \
	echo "dependency rule: $(DOMAIN_CRATE) has no infrastructure dependency"

# The RustSec advisory database as of its file's date (these machines cannot reach GitHub);
# replace the file with a newer snapshot to audit against newer advisories.
ADVISORY_DB := deploy/audit/advisory-db-2026-08-21.tar.gz
ADVISORY_NAME := $(basename $(basename $(notdir $(ADVISORY_DB))))
CARGO_AUDIT_VERSION := 0.22.2
audit: ## cargo audit of Cargo.lock against the snapshot of the RustSec database in deploy/audit/
	@$(CARGO) audit --version 2>/dev/null | grep -qxF "cargo-audit-audit $(CARGO_AUDIT_VERSION)" || \
	  $(CARGO) install --quiet --locked --no-default-features cargo-audit --version $(CARGO_AUDIT_VERSION)
	@db=target/advisory-db/$(ADVISORY_NAME); \
	  [ -d $$db/advisory-db ] || { mkdir -p $$db && tar -xzf $(ADVISORY_DB) -C $$db; }; \
	  $(CARGO) audit --no-fetch --db $$db/advisory-db --deny warnings

# The same snapshot where cargo deny (deny.toml's db-path) opens its default database: a
# folder named by a hash of that database's URL, holding .git/FETCH_HEAD, whose time
# cargo-deny takes for the fetch time: the snapshot's date. The file names the snapshot,
# so a new one is unpacked in its place.
DENY_DB := target/advisory-db/deny/advisory-db-3157b0e258782691
deny-db:
	@[ "$$(cat $(DENY_DB)/.git/FETCH_HEAD 2>/dev/null)" = $(ADVISORY_NAME) ] || { \
	  rm -rf $(DENY_DB) && mkdir -p $(DENY_DB)/.git && \
	  tar -xzf $(ADVISORY_DB) -C $(DENY_DB) --strip-components=1 && \
	  echo $(ADVISORY_NAME) > $(DENY_DB)/.git/FETCH_HEAD && \
	  touch -d $(patsubst advisory-db-%,%,$(ADVISORY_NAME)) $(DENY_DB)/.git/FETCH_HEAD; }

fmt: ## Format the code
	$(CARGO) fmt --all

DATASET ?= ../shared/eval/preferences-dev.jsonl
eval: services ## Score the preference detector (DATASET=file.jsonl PREDICTIONS=out.jsonl)
	$(WITH_ENV) $(CARGO) run --quiet --release -p polychat-detector --bin detector-eval -- --dataset $(DATASET) $(if $(PREDICTIONS),--predictions $(PREDICTIONS),)

DETECTOR_VENV := .local/venv-detector
detector-train: services ## Retrain the preference detector (writes crates/adapters/detector/model/weights.json)
	@[ -x $(DETECTOR_VENV)/bin/python ] || { python3 -m venv $(DETECTOR_VENV) && $(DETECTOR_VENV)/bin/pip install -q numpy scikit-learn; }
	$(WITH_ENV) $(DETECTOR_VENV)/bin/python crates/adapters/detector/train/train.py

bench: services ## Benchmark the service on loopback; writes bench/results/<date>.md and .json
	@bash bench/run.sh

profile: services ## CPU profile of the service under POST /chat (perf); writes bench/results/<date>-profile.txt
	@bash bench/run.sh profile.py
