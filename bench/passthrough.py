"""Scenario 8: an OpenAI-compatible pass-through. The same non-streamed chat completion
(personal API key, `X-Memory: off`, no `X-Chat-Id`) through polychat's `/v1` and through
LiteLLM's proxy, both in front of the zero-delay mock, at each of RATES, beside the mock
measured directly at the same rates."""

import concurrent.futures
import math
import os

from litellm_proxy import MASTER_KEY, MODEL, VERSION, LiteLLM
from stack import call

RATES = tuple(float(r) for r in os.environ.get("BENCH_V1_RATES", "20,500").split(",") if r.strip())
PATH = "/v1/chat/completions"
BODY = {"model": MODEL, "messages": [
    {"role": "user", "content": "How should I structure a Rust project with several crates?"}]}
HEADERS = {"X-Memory": "off"}
# Requests per user in one run (warm-up included), well inside the per-user chat limit
# (a burst of 60, then 1 a second).
PER_USER = 30


def users_for(rate, seconds):
    return max(10, math.ceil(rate * seconds / PER_USER))


def key_of(rate):
    return f"{rate:g}".replace(".", "_")


def seed(stack, seconds, rates=RATES, prefix="v1user"):
    """Users with a personal API key each, for every rate: {"users": n, "keys": {rate:
    [key, ...]}}, or {"users": n, "reason": why there are no keys} (the route missing)."""
    counts = {rate: users_for(rate, seconds) for rate in rates}
    users = stack.users(prefix, sum(counts.values()))

    def create_key(user):
        status, body = call(stack.base, "POST", "/user/api-keys", {"name": "bench"}, user[1])
        return body["key"] if status == 201 else (status, body)

    first = create_key(users[0])
    if not isinstance(first, str):
        status, body = first
        if status in (404, 405):
            return {"users": len(users), "reason": f"route missing ({status}): POST /user/api-keys"}
        raise RuntimeError(f"POST /user/api-keys: {status} {body}")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        keys = [first] + list(pool.map(create_key, users[1:]))
    failed = [k for k in keys if not isinstance(k, str)]
    if failed:
        raise RuntimeError(f"POST /user/api-keys failed for {len(failed)} users: {failed[0]}")
    out, start = {}, 0
    for rate, count in counts.items():
        out[rate] = keys[start:start + count]
        start += count
    return {"users": len(users), "keys": out}


def probe_polychat(stack, key):
    """None when polychat's /v1 route exists (whatever it answered), else why to skip."""
    status, body = call(stack.base, "POST", PATH, BODY, key, HEADERS)
    if status == 404:
        return f"route missing (404): POST {PATH}"
    if status != 200:
        print(f"bench: warning: the /v1 probe answered {status}: {str(body)[:200]}", flush=True)
    return None


def run(b, stack, seeded):
    """Every run of scenario 8 into `b` (a bench.Bench), with the users `seed` made."""
    keys = seeded.get("keys")
    mock = stack.mock.pid
    for rate in RATES:
        b.load(f"s8_baseline_{key_of(rate)}", "mock upstream, OpenAI body", "8", stack.mock_base,
               "/api/v1/chat/completions", rate, mock, "POST", BODY)
    reason = seeded.get("reason") or probe_polychat(stack, next(iter(keys.values()))[0])
    for rate in RATES:
        key, title = f"s8_v1_{key_of(rate)}", "polychat POST /v1/chat/completions (API key, X-Memory: off)"
        extra = {"baseline": f"s8_baseline_{key_of(rate)}", "proxy": "polychat"}
        if reason:
            b.skip(key, title, "8", rate, reason, extra)
        else:
            b.load(key, title, "8", stack.base, PATH, rate, stack.app.pid, "POST", BODY,
                   tokens=keys[rate], headers=HEADERS, extra=extra)
    proxy = LiteLLM(b.workdir, stack.mock_base)
    reason = proxy.start()
    try:
        reason = reason or proxy.probe(BODY)
        for rate in RATES:
            key, title = f"s8_litellm_{key_of(rate)}", f"LiteLLM {VERSION} proxy /v1/chat/completions"
            extra = {"baseline": f"s8_baseline_{key_of(rate)}", "proxy": "litellm",
                     "litellm_version": VERSION}
            if reason or proxy.proc.poll() is not None:
                b.skip(key, title, "8", rate, reason or "LiteLLM exited (see litellm.log)", extra)
                continue
            try:
                b.load(key, title, "8", proxy.base, PATH, rate, proxy.proc.pid, "POST", BODY,
                       tokens=[MASTER_KEY], headers=HEADERS, extra=extra, tree=True)
            except (RuntimeError, OSError) as e:  # a proxy that falls over must not end the run
                b.skip(key, title, "8", rate, f"load run failed: {e}", extra)
    finally:
        proxy.stop()
