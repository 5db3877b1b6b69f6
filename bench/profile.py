#!/usr/bin/env python3
"""`make profile`: where the service's CPU goes during POST /chat. Starts the bench's
isolated stack (bench/stack.py), drives POST /chat (new chats, zero-delay mock upstream)
at PROFILE_RATE for PROFILE_SECONDS while `perf record` samples the service (software
cpu-clock, so it works where hardware counters are not exposed), and writes the hottest
functions, self and inclusive, to bench/results/<date>-profile.txt. Needs `perf`
(Debian's linux-perf; installed here when missing)."""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import RELEASE, ROOT, Stack, process_cpu  # noqa: E402

RATE = float(os.environ.get("PROFILE_RATE", "100"))
SECONDS = float(os.environ.get("PROFILE_SECONDS", "15"))
BODY = {"prompt": "How should I structure a Rust project with several crates?", "model": "mock/fast"}
TOP = 45


def ensure_perf():
    if shutil.which("perf"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "linux-perf"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def perf_report(data, *extra):
    out = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--no-children",
                          "--percent-limit", "0.4", "-g", "none", *extra],
                         capture_output=True, text=True, check=True).stdout
    lines = [l.rstrip(" -") for l in out.splitlines() if l.strip() and not l.startswith("#")]
    return [" ".join(l.split()) for l in lines][:TOP]



def main():
    ensure_perf()
    run_id = "profile_" + datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    workdir = Path(tempfile.mkdtemp(prefix="polychat-profile-"))
    stack = Stack(run_id, workdir)
    try:
        stack.create()
        stack.migrate()
        stack.start_mock()
        stack.start_app(bcrypt_cost=4)
        tokens = [token for _, token in stack.users("prof", 60)]
        (workdir / "tokens").write_text("\n".join(tokens))
        (workdir / "body.json").write_text(json.dumps(BODY))
        data = workdir / "perf.data"
        load = subprocess.Popen(
            [str(RELEASE / "bench-load"), "--url", stack.base, "--method", "POST", "--path", "/chat",
             "--rate", str(RATE), "--duration", str(SECONDS), "--warmup", "2",
             "--connections", "64", "--timeout", "30", "--tokens", str(workdir / "tokens"),
             "--body-file", str(workdir / "body.json")], stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "1999", "-g",
                                 "-p", str(stack.app.pid), "-o", str(data)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = process_cpu(stack.app.pid)
        result = json.loads(load.communicate()[0])
        cpu_ms = 1000 * (process_cpu(stack.app.pid) - before) / max(result["ok"], 1)
        perf.send_signal(2)
        perf.wait(timeout=60)
        lines = [
            f"# CPU profile of POST /chat, {datetime.date.today().isoformat()}",
            f"# {RATE:.0f}/s offered for {SECONDS:.0f} s (new chat each, zero-delay mock upstream); "
            f"achieved {result['achieved_rps']}/s, p50 {result['latency_ms']['p50']} ms, "
            f"p99 {result['latency_ms']['p99']} ms, errors {result['errors']}; service CPU "
            f"{cpu_ms:.2f} ms per request (user+system, sampling included)",
            "# perf record -e cpu-clock -g on the service. Share of samples by where they ran:",
            "", *perf_report(data, "--sort", "dso"),
            "", "# self time per function:",
            "", *perf_report(data, "--sort", "symbol"),
            "", "# inclusive (children) time per function:",
            "", *perf_report(data, "--sort", "symbol", "--children"),
        ]
    finally:
        stack.teardown()
    name = os.environ.get("PROFILE_NAME", "profile")
    out = ROOT / "bench" / "results" / f"{datetime.date.today().isoformat()}-{name}.txt"
    out.write_text("\n".join(lines) + "\n")
    print(f"profile: wrote {out.relative_to(ROOT)} (perf data in {workdir})")


if __name__ == "__main__":
    main()
