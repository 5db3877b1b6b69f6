"""LiteLLM's proxy as the bench runs it: installed once into its own venv
(.local/venv-litellm), started with a generated config that maps the bench's model to
the mock upstream, with no database and nothing that reaches the internet."""

import json
import os
import subprocess
import time
from pathlib import Path

from stack import ROOT, call, free_port, wait_http

# 1.99 is the last line whose `proxy` extra resolves (1.110 has none); 1.107.0 was a
# compromised release, so the pin is exact.
VERSION = os.environ.get("BENCH_LITELLM_VERSION", "1.99.4")
VENV = ROOT / ".local" / "venv-litellm"
MASTER_KEY = "sk-bench-litellm"
MODEL = "openai/gpt-4o-mini"


def install():
    """The venv's `litellm`, installing the pinned version when the venv lacks it."""
    stamp = VENV / "bench-litellm-version"
    exe = VENV / "bin" / "litellm"
    if exe.exists() and stamp.exists() and stamp.read_text().strip() == VERSION:
        return exe
    print(f"bench: installing litellm[proxy]=={VERSION} into {VENV.relative_to(ROOT)} (once)", flush=True)
    if not (VENV / "bin" / "python").exists():
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                    f"litellm[proxy]=={VERSION}"], check=True)
    stamp.write_text(VERSION + "\n")
    return exe


def config(mock_base):
    """The proxy's config: one model, the mock as its OpenAI-compatible upstream, and every
    callback, check and background job that could log, store or call out turned off.
    JSON is YAML, so no YAML writer is needed."""
    return {
        "model_list": [{
            "model_name": MODEL,
            "litellm_params": {"model": MODEL, "api_base": f"{mock_base}/api/v1", "api_key": "sk-mock-bench"},
        }],
        "litellm_settings": {
            "drop_params": True, "set_verbose": False, "telemetry": False,
            "success_callback": [], "failure_callback": [], "callbacks": [],
            "request_timeout": 30, "num_retries": 0,
        },
        "general_settings": {
            "master_key": MASTER_KEY, "disable_spend_logs": True, "disable_error_logs": True,
            "background_health_checks": False, "disable_reset_budget": True,
            "disable_master_key_return": True,
        },
    }


# What LiteLLM reads from the environment to stay offline and quiet: the bundled model
# cost map instead of fetching it, no docs pages, no .env loading (LITELLM_MODE), no
# telemetry, logging at errors only.
OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_MODE": "PRODUCTION",
    "LITELLM_LOG": "ERROR",
    "LITELLM_TELEMETRY": "False",
    "NO_DOCS": "True",
    "NO_REDOC": "True",
    "DISABLE_ADMIN_UI": "True",
    "DISABLE_SCHEMA_UPDATE": "True",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


class LiteLLM:
    """One proxy process; `start` returns None when it runs, else why it does not."""

    def __init__(self, workdir, mock_base):
        self.workdir = workdir
        self.mock_base = mock_base
        self.port = free_port()
        self.proc = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        try:
            exe = install()
        except (subprocess.CalledProcessError, OSError) as e:
            return f"LiteLLM not installed ({e})"
        path = self.workdir / "litellm.yaml"
        path.write_text(json.dumps(config(self.mock_base), indent=2) + "\n")
        # A clean environment: no DATABASE_URL (it would turn on Prisma), no proxies, no keys.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
               "LANG": "C.UTF-8", **OFFLINE_ENV}
        log = open(self.workdir / "litellm.log", "w")
        self.proc = subprocess.Popen(
            [str(exe), "--config", str(path), "--host", "127.0.0.1", "--port", str(self.port),
             "--num_workers", "1", "--telemetry", "False"], cwd=self.workdir, env=env, stdout=log, stderr=log)
        started = time.time()
        try:
            wait_http(f"{self.base}/health/liveliness", seconds=180)
        except RuntimeError as e:
            self.stop()
            return f"LiteLLM did not start ({e}; see {self.workdir / 'litellm.log'})"
        print(f"bench: LiteLLM {VERSION} up in {time.time() - started:.1f} s on {self.base}", flush=True)
        return None

    def probe(self, body):
        """One request as the load will send it: None when it answers 200, else why not."""
        status, answer = call(self.base, "POST", "/v1/chat/completions", body, MASTER_KEY)
        return None if status == 200 else f"LiteLLM answered {status}: {str(answer)[:200]}"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
