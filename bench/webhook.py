"""Scenario 9: a custom model on a webhook. The same non-streamed chat completion
(personal API key, `X-Memory: off`) through polychat's `/v1` to a custom model whose
webhook is the mock playing a zero-delay n8n, beside that webhook called directly at
the same rate; and the usage reports read over a month of a million ledger rows."""

import time

import passthrough
from stack import call

RATE = 200
SLUG = "bench-hook"
PATH = "/v1/chat/completions"
BODY = {"model": SLUG, "messages": [
    {"role": "user", "content": "How should I structure a Rust project with several crates?"}]}
HEADERS = {"X-Memory": "off"}
# What polychat sends the webhook, for the direct baseline.
WEBHOOK_BODY = {"messages": BODY["messages"], "sessionId": "bench", "webhook_type": "chat",
                "model": SLUG, "userId": "00000000-0000-0000-0000-000000000000",
                "chatInput": BODY["messages"][0]["content"], "action": "sendMessage",
                "stream": False}
USAGE_ROWS = 1_000_000
USAGE_USERS = 1000
USAGE_READS = 30


def seed(stack, seconds):
    """An admin, the custom model on the mock's webhook, and users with API keys:
    {"users": n, "keys": {RATE: [key, ...]}} (or {"users": n, "reason": why not})."""
    admin = "hookadmin"
    _, token = stack.user(admin)
    stack.grant_admin(admin)
    status, body = call(stack.base, "POST", "/admin/models", {
        "slug": SLUG, "name": "Bench webhook",
        "chat_webhook_url": f"{stack.mock_base}/webhook/chat",
        "completions_webhook_url": f"{stack.mock_base}/webhook/completion",
        "timeout_seconds": 10}, token)
    if status != 201:
        raise RuntimeError(f"POST /admin/models: {status} {body}")
    return passthrough.seed(stack, seconds, rates=(RATE,), prefix="hookuser")


def run(b, stack, seeded):
    """Scenario 9's load runs into `b` (a bench.Bench)."""
    b.load(f"s9_baseline_{RATE}", "fake n8n webhook (mock), called directly", "9",
           stack.mock_base, "/webhook/chat", RATE, stack.mock.pid, "POST", WEBHOOK_BODY)
    key, title = f"s9_v1_webhook_{RATE}", "polychat POST /v1/chat/completions, custom model on a webhook"
    extra = {"baseline": f"s9_baseline_{RATE}"}
    keys = seeded.get("keys")
    if not keys:
        b.skip(key, title, "9", RATE, seeded.get("reason", "no API keys"), extra)
        return
    status, answer = call(stack.base, "POST", PATH, BODY, keys[RATE][0], HEADERS)
    if status != 200:
        raise RuntimeError(f"the webhook model answered {status}: {answer}")
    b.load(key, title, "9", stack.base, PATH, RATE, stack.app.pid, "POST", BODY,
           tokens=keys[RATE], headers=HEADERS, extra=extra)


def usage_reads(stack):
    """A month of USAGE_ROWS ledger rows (SQL), then GET /user/usage and /admin/usage over
    that month, each read USAGE_READS times: {"rows", "seed_s", "reads": {name: {p50, p99,
    max}}} in ms."""
    admin = "usageadmin"
    _, token = stack.user(admin)
    stack.grant_admin(admin)
    heavy = stack.psql(stack.pg_url, f"SELECT id FROM users WHERE username = '{admin}'",
                       capture=True).strip()
    started = time.time()
    stack.psql(stack.pg_url, f"""
        CREATE TEMP TABLE ledger_users AS
            SELECT CASE WHEN i = 0 THEN '{heavy}'::uuid ELSE gen_random_uuid() END AS id, i
            FROM generate_series(0, {USAGE_USERS - 1}) AS i;
        INSERT INTO usage_events (user_id, model, fallback_from, route, prompt_tokens,
            completion_tokens, total_tokens, estimated, succeeded, latency_ms, created_at)
        SELECT u.id, (ARRAY['openai/gpt-4o-mini', 'anthropic/claude-3.5-sonnet',
                            'google/gemini-flash-1.5', 'meta-llama/llama-3.1-70b', 'support-bot'])[1 + n % 5],
               NULL, (ARRAY['chat', 'v1'])[1 + n % 2], 20 + n % 300, 5 + n % 700, 25 + n % 300 + n % 700,
               n % 7 = 0, n % 50 <> 0, 100 + n % 900,
               date_trunc('month', now()) + (n % (28 * 86400)) * interval '1 second'
        FROM generate_series(1, {USAGE_ROWS}) AS n
        JOIN ledger_users u ON u.i = n % {USAGE_USERS};
        ANALYZE usage_events;""")
    seed_s = round(time.time() - started, 1)
    first = time.strftime("%Y-%m-01")
    last = time.strftime("%Y-%m-28")
    reads = {}
    for name, path in (
            ("GET /user/usage, one user's month by model", f"/user/usage?from={first}&to={last}&group_by=model"),
            ("GET /user/usage, one user's month by day", f"/user/usage?from={first}&to={last}&group_by=day"),
            ("GET /admin/usage, everyone's month by model", f"/admin/usage?from={first}&to={last}&group_by=model"),
            ("GET /admin/usage, everyone's month by user", f"/admin/usage?from={first}&to={last}&group_by=user")):
        times = []
        for _ in range(USAGE_READS):
            t = time.perf_counter()
            status, body = call(stack.base, "GET", path, None, token)
            times.append(1000 * (time.perf_counter() - t))
            if status != 200:
                raise RuntimeError(f"{path}: {status} {body}")
        times.sort()
        reads[name] = {"p50": round(times[len(times) // 2], 2),
                       "p99": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
                       "max": round(times[-1], 2), "requests": body["total"]["requests"]}
    return {"rows": USAGE_ROWS, "users": USAGE_USERS, "seed_s": seed_s, "reads": reads}
