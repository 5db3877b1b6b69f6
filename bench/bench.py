#!/usr/bin/env python3
"""`make bench`: runs every scenario once against a fresh, isolated stack on loopback and
writes bench/results/<date>.md and .json. Standard library only. See bench/README.md."""

import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import RELEASE, ROOT, PASSWORD, Stack, process_cpu, stat_cpu, tree_cpu  # noqa: E402
import passthrough  # noqa: E402
import pressure  # noqa: E402
import report  # noqa: E402
import webhook  # noqa: E402

DURATION = float(os.environ.get("BENCH_DURATION", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
# Rates that this 2-core machine sustains with FerretDB (SQLite) as the chat store;
# see NOTES.md for why POST /chat is not run at 500/s.
CHAT_RATE = float(os.environ.get("BENCH_CHAT_RATE", "20"))
STORE_RATE = float(os.environ.get("BENCH_STORE_RATE", "50"))
HIT_RATE = float(os.environ.get("BENCH_HIT_RATE", "5000"))
LOGIN_RATE = float(os.environ.get("BENCH_LOGIN_RATE", "4"))
# BENCH_ONLY=v1 runs scenario 8 alone (the OpenAI-compatible pass-through, polychat and
# LiteLLM) and writes bench/results/<date>-v1.md; BENCH_ONLY=webhook runs scenario 9 alone
# (a custom model on a webhook, and the usage reports); unset, everything runs.
ONLY = os.environ.get("BENCH_ONLY", "")
# Other work on the machine (a build, say) shows in every figure; the report names it.
START_LOAD = os.getloadavg()
ALONE = {"v1": "8", "webhook": "9", "pressure": "10"}
if ONLY and ONLY not in ALONE:
    sys.exit(f"bench: BENCH_ONLY={ONLY!r}: only {', '.join(f'{k!r} ({v})' for k, v in ALONE.items())} run alone")
CHAT_BODY = {"prompt": "How should I structure a Rust project with several crates?", "model": "mock/fast"}
UPSTREAM_BODY = {"model": "mock/fast", "messages": [{"role": "user", "content": CHAT_BODY["prompt"]}]}


def proc_cpu_rss(pid, tree=False):
    """(CPU seconds used so far, RSS MiB, peak RSS MiB) of a process (its CPU with its
    descendants' when `tree`), from /proc."""
    cpu = tree_cpu(pid) if tree else process_cpu(pid)
    status = dict(l.split(":", 1) for l in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in l)
    kib = lambda k: int(status.get(k, "0 kB").split()[0]) / 1024
    return cpu, round(kib("VmRSS"), 1), round(kib("VmHWM"), 1)


# The processes of the stack whose CPU time the report splits a request into, by the
# command names Linux gives them (15 characters at most).
STACK_PROCESSES = {"ferretdb": ("ferretdb",), "postgres": ("postgres",),
                   "redis": ("redis-server",), "mock upstream": ("mock-upstream",)}


def stack_cpu():
    """CPU seconds used so far by each group of STACK_PROCESSES (all their processes)."""
    used = {name: 0.0 for name in STACK_PROCESSES}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        for name, comms in STACK_PROCESSES.items():
            if comm in comms:
                used[name] += stat_cpu(stat)
    return used


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Bench:
    def __init__(self, stack, workdir):
        self.stack = stack
        self.workdir = workdir
        self.results = []
        self.skipped = []

    def write(self, name, content):
        path = self.workdir / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    def load(self, key, title, group, base, path, rate, pid, method="GET", body=None, tokens=None,
             targets=None, stream=False, connections=64, extra=None, background=None,
             duration=DURATION, warmup=WARMUP, timeout=30, headers=None, tree=False):
        """One load-generator run; CPU and RSS of `pid` (and its descendants', when `tree`)
        are read around the measured part."""
        args = [str(RELEASE / "bench-load"), "--url", base, "--method", method, "--path", path,
                "--rate", str(rate), "--duration", str(duration), "--warmup", str(warmup),
                "--connections", str(connections), "--timeout", str(timeout)]
        if body is not None:
            args += ["--body-file", str(self.write(f"{key}.body.json", body))]
        if tokens:
            args += ["--tokens", str(self.write(f"{key}.tokens", "\n".join(tokens)))]
        if targets:
            args += ["--targets", str(self.write(f"{key}.targets", "\n".join(targets)))]
        if stream:
            args += ["--stream"]
        for name, value in (headers or {}).items():
            args += ["--header", f"{name}: {value}"]
        print(f"bench: {key}: {title} at {rate}/s", flush=True)
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        time.sleep(warmup)
        before = proc_cpu_rss(pid, tree)
        stack_before, load_before = stack_cpu(), children_cpu()
        started = time.time()
        out, _ = proc.communicate()
        elapsed = time.time() - started
        after = proc_cpu_rss(pid, tree)
        stack_after, load_after = stack_cpu(), children_cpu()
        if proc.returncode != 0:
            raise RuntimeError(f"bench-load failed for {key}")
        result = json.loads(out)
        cpu = after[0] - before[0]
        result.update({
            "key": key, "title": title, "group": group,
            "server_cpu_s": round(cpu, 3),
            "server_cpu_ms_per_req": round(1000 * cpu / max(result["ok"], 1), 3),
            "server_cpu_util": round(cpu / max(elapsed, 1e-9), 3),
            "rss_mb": after[1], "peak_rss_mb": after[2],
        })
        ok = max(result["ok"], 1)
        # The load generator's CPU includes its warm-up; the others are read over the
        # measured window only.
        result["stack_cpu_ms_per_req"] = {
            **{name: round(1000 * (stack_after[name] - stack_before[name]) / ok, 3)
               for name in STACK_PROCESSES},
            "load generator": round(1000 * (load_after - load_before) / max(result["requests"], 1)
                                    * duration / (duration + warmup), 3),
        }
        result.update(extra or {})
        if background:
            result["background"] = background
        self.results.append(result)
        print(f"bench:   p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms, "
              f"{result['achieved_rps']}/s, errors {result['errors']}", flush=True)
        return result

    def skip(self, key, title, group, rate, reason, extra=None):
        """A scenario that could not run, and why; the report names it."""
        print(f"bench: {key}: {title} at {rate:g}/s skipped: {reason}", flush=True)
        self.skipped.append({"key": key, "title": title, "group": group, "target_rps": rate,
                             "reason": reason, **(extra or {})})


def main():
    run_id = "bench_" + datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    workdir = Path(tempfile.mkdtemp(prefix="polychat-bench-"))
    stack = Stack(run_id, workdir)
    started = time.time()
    try:
        data = run(stack, workdir)
    finally:
        stack.teardown()
    data["wall_s"] = round(time.time() - started, 1)
    date = datetime.date.today().isoformat() + (f"-{ONLY}" if ONLY else "")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{date}.json").write_text(json.dumps(data, indent=2) + "\n")
    (out / f"{date}.md").write_text(report.markdown(data))
    print(f"bench: wrote bench/results/{date}.md and .json in {data['wall_s']} s (work files in {workdir})")


def run(stack, workdir):
    stack.create()
    stack.migrate()
    stack.start_mock()
    # Seeding with cheap password hashes (the cost is in the hash, so these accounts
    # stay cheap), then the service runs with cost 12 for everything measured.
    stack.start_app(bcrypt_cost=4)
    b = Bench(stack, workdir)
    if ONLY == "webhook":
        users, usage = run_webhook(stack, b)
        return summary(stack, b, {"users": users}, usage=usage)
    if ONLY == "pressure":
        recall = run_pressure(stack, b)
        return summary(stack, b, {"users": 23}, recall=recall)
    print("bench: seeding users and their API keys for scenario 8", flush=True)
    v1_keys = passthrough.seed(stack, DURATION + WARMUP)
    if ONLY == "v1":
        passthrough.run(b, stack, v1_keys)
        return summary(stack, b, {"users": v1_keys["users"]})
    return run_all(stack, workdir, b, v1_keys)


def run_webhook(stack, b):
    """Scenario 9: a custom model on a webhook through /v1, then the usage reports over a
    million ledger rows; (accounts made, the usage figures)."""
    print("bench: seeding the custom model and users with API keys for scenario 9", flush=True)
    hook_keys = webhook.seed(stack, DURATION + WARMUP)
    webhook.run(b, stack, hook_keys)
    print(f"bench: seeding {webhook.USAGE_ROWS:,} usage rows and reading the reports", flush=True)
    return hook_keys["users"] + 2, webhook.usage_reads(stack)


def run_pressure(stack, b):
    """Scenario 10, with the real local embeddings server; the recall rates."""
    print("bench: scenario 10 with the real embeddings server", flush=True)
    url = stack.env.get("EMBEDDINGS_BASE_URL", "http://127.0.0.1:8001/v1")
    return pressure.run(b, stack, CHAT_RATE, url)


def run_all(stack, workdir, b, v1_keys):
    print("bench: seeding users, chats and preferences", flush=True)
    users = stack.users("load", 320)
    group = lambda a, b: [token for _, token in users[a:b]]
    small_chats = [(token, stack.new_chat(token)) for _, token in users[300:320]]
    # Users with a chat each, continued by scenarios 2 and 3 (a chat per user keeps
    # every request within the per-user limit).
    continued = [(token, stack.new_chat(token)) for _, token in stack.users("cont", 80)]
    continue_turns = lambda pairs, body: [
        f"{token}\t/chat\t{json.dumps(dict(body, chat_id=chat))}" for token, chat in pairs]
    big_owner, big_token = stack.user("bigchat")
    big_chat = stack.new_chat(big_token)
    t = time.time()
    big_ids = stack.seed_chat(big_owner, big_chat, 2000, workdir / "big-ids.txt")
    seed_chat_s = round(time.time() - t, 1)
    t = time.time()
    memory_users, preferences = stack.seed_preferences(1000, 10)
    seed_pref_s = round(time.time() - t, 1)
    stack.start_app(bcrypt_cost=12)
    login_user = "loginbench"
    stack.user(login_user)

    app, mock = stack.app.pid, stack.mock.pid
    upstream = "/api/v1/chat/completions"
    # 1 and 2: non-streamed chat, zero-delay upstream, then a 60 ms upstream.
    b.load("s1_baseline", "mock upstream, non-stream", "1-2", stack.mock_base, upstream, CHAT_RATE,
           mock, "POST", UPSTREAM_BODY)
    b.load("s2_post_chat", "POST /chat non-stream", "1-2", stack.base, "/chat", CHAT_RATE, app, "POST",
           CHAT_BODY, tokens=group(0, 120), extra={"baseline": "s1_baseline"})
    b.load("s2_post_chat_continue", "POST /chat non-stream, continuing a chat", "1-2", stack.base,
           "/chat", CHAT_RATE, app, "POST", targets=continue_turns(continued[:40], CHAT_BODY),
           extra={"baseline": "s1_baseline"})
    slow = dict(UPSTREAM_BODY, model="mock/delay60")
    b.load("s1_baseline_60ms", "mock upstream 60 ms, non-stream", "1-2", stack.mock_base, upstream,
           CHAT_RATE, mock, "POST", slow)
    b.load("s2_post_chat_60ms", "POST /chat non-stream, 60 ms upstream", "1-2", stack.base, "/chat",
           CHAT_RATE, app, "POST", dict(CHAT_BODY, model="mock/delay60"), tokens=group(120, 180),
           extra={"baseline": "s1_baseline_60ms"})
    # 3: streamed, 20 chunks 10 ms apart.
    paced = "mock/chunks20-gap10"
    b.load("s3_baseline_stream", "mock upstream SSE 20x10 ms", "3", stack.mock_base, upstream,
           CHAT_RATE, mock, "POST", dict(UPSTREAM_BODY, model=paced, stream=True), stream=True)
    b.load("s3_post_chat_stream", "POST /chat stream, SSE 20x10 ms", "3", stack.base, "/chat",
           CHAT_RATE, app, "POST", dict(CHAT_BODY, model=paced, stream=True), tokens=group(180, 220),
           stream=True, extra={"baseline": "s3_baseline_stream"})
    b.load("s3_post_chat_stream_continue", "POST /chat stream, continuing a chat", "3", stack.base,
           "/chat", CHAT_RATE, app, "POST",
           targets=continue_turns(continued[40:], dict(CHAT_BODY, model=paced, stream=True)),
           stream=True, extra={"baseline": "s3_baseline_stream"})
    # 4: GET /chat served from the cache, and from MongoDB.
    b.load("s4_baseline_5000", "mock upstream, non-stream", "4", stack.mock_base, upstream, HIT_RATE,
           mock, "POST", UPSTREAM_BODY, connections=128)
    token, chat = small_chats[0]
    b.load("s4_get_chat_hit", "GET /chat cache hit", "4", stack.base, f"/chat?chat_id={chat}", HIT_RATE,
           app, tokens=[token], connections=128, extra={"baseline": "s4_baseline_5000"})
    misses = [f"{tok}\t/chat?chat_id={c}&limit={limit}" for limit in range(1, 201) for tok, c in small_chats]
    b.load("s4_get_chat_miss", "GET /chat cache miss (MongoDB)", "4", stack.base, "/", STORE_RATE, app,
           targets=misses, extra={"baseline": "s1_baseline"})
    # 5: the memory path, part by part.
    memory = json.loads(subprocess.run(
        [str(RELEASE / "bench-tool"), "memory", "--database-url", stack.pg_url,
         "--embeddings-url", stack.env.get("EMBEDDINGS_BASE_URL", "http://127.0.0.1:8001/v1"),
         "--users", str(memory_users), "--iterations", "2000", "--embed-iterations", "100"],
        check=True, capture_output=True, text=True).stdout)
    memory["preferences"] = preferences
    # 6: a 2,000-message chat.
    b.load("s6_big_chat_hit", "GET /chat?limit=50, 2,000-message chat, cache hit", "6", stack.base,
           f"/chat?chat_id={big_chat}&limit=50", 2000, app, tokens=[big_token],
           extra={"baseline": "s4_baseline_5000"})
    pages = [f"{big_token}\t/chat?chat_id={big_chat}&limit={lim}&before={mid}"
             for lim in (50, 49) for mid in big_ids[60:]]
    b.load("s6_big_chat_miss", "GET /chat?limit=50&before=…, 2,000-message chat, miss", "6",
           stack.base, "/", STORE_RATE, app, targets=pages, extra={"baseline": "s1_baseline"})
    b.load("s6_get_chats", "GET /chats?limit=50 (users with a few chats)", "6", stack.base,
           "/chats?limit=50", STORE_RATE, app, tokens=group(0, 120), extra={"baseline": "s1_baseline"})
    b.load("s6_get_chats_big", "GET /chats, owner of the 2,000-message chat", "6", stack.base,
           "/chats", STORE_RATE, app, tokens=[big_token], extra={"baseline": "s1_baseline"})
    # 7: logins (bcrypt cost 12) alone, and beside chat traffic.
    login = {"username": login_user, "password": PASSWORD}
    b.load("s7_login", "POST /login (bcrypt 12)", "7", stack.base, "/login", LOGIN_RATE, app, "POST", login)
    b.load("s7_chat_alone", f"POST /chat at {CHAT_RATE:g}/s, no logins", "7", stack.base, "/chat", CHAT_RATE, app,
           "POST", CHAT_BODY, tokens=group(220, 260))
    login_proc = subprocess.Popen(
        [str(RELEASE / "bench-load"), "--url", stack.base, "--method", "POST", "--path", "/login",
         "--body", json.dumps(login), "--rate", str(LOGIN_RATE), "--duration", str(DURATION + 1),
         "--warmup", str(WARMUP)], stdout=subprocess.PIPE, text=True)
    b.load("s7_chat_with_logins", f"POST /chat at {CHAT_RATE:g}/s beside {LOGIN_RATE:g} logins/s", "7",
           stack.base, "/chat", CHAT_RATE, app, "POST", CHAT_BODY, tokens=group(260, 300), extra={"baseline": "s7_chat_alone"})
    logins = json.loads(login_proc.communicate()[0])
    b.results[-1]["background"] = {"logins": {k: logins[k] for k in ("achieved_rps", "errors", "latency_ms")}}

    # 8: the OpenAI-compatible pass-through, polychat's /v1 and LiteLLM's proxy.
    passthrough.run(b, stack, v1_keys)
    # 9: a custom model on a webhook, and the usage reports.
    hook_users, usage = run_webhook(stack, b)
    # 10: chat beside a flood of long prompts, with the real embeddings server.
    recall = run_pressure(stack, b)
    stack.start_app(bcrypt_cost=12)

    # Last, because it leaves a backlog behind: POST /chat offered at the target's
    # 500/s for a few seconds, to show what the stack sustains.
    b.load("s2_post_chat_500", "POST /chat non-stream offered at 500/s (capacity probe)", "1-2",
           stack.base, "/chat", 500, stack.app.pid, "POST", CHAT_BODY, tokens=group(0, 120) + group(180, 300),
           duration=3, warmup=0, timeout=15, connections=256, extra={"baseline": "s1_baseline"})
    seed = {"users": len(users) + len(continued) + 2 + v1_keys["users"] + hook_users,
            "big_chat_messages": len(big_ids) + 2, "big_chat_seed_s": seed_chat_s, "memory_users": 1000,
            "preferences": preferences, "preferences_seed_s": seed_pref_s}
    return summary(stack, b, seed, memory, usage, recall)


def summary(stack, b, seed, memory=None, usage=None, recall=None):
    """The run's JSON: settings, machine, seed and every scenario."""
    idle = proc_cpu_rss(stack.app.pid)
    return {
        "run_id": stack.run_id,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "only": ONLY or None,
        "machine": machine(),
        "settings": {"duration_s": DURATION, "warmup_s": WARMUP, "bcrypt_cost": 12,
                     "load_generator": "bench-load (open loop, latency from the intended start)",
                     "rates": {"chat": CHAT_RATE, "store": STORE_RATE, "hit": HIT_RATE, "login": LOGIN_RATE,
                               "v1": list(passthrough.RATES), "webhook": webhook.RATE}},
        "seed": seed,
        "scenarios": b.results,
        "skipped": b.skipped,
        "memory": memory,
        "usage": usage,
        "recall_under_pressure": recall,
        "final_rss_mb": idle[1], "peak_rss_mb": idle[2],
    }


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "unknown")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "commit": commit,
            "loadavg_at_start": [round(x, 2) for x in START_LOAD]}


if __name__ == "__main__":
    main()
