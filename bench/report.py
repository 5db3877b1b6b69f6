"""Turns the bench's JSON into the markdown report: every scenario beside its baseline,
the targets of issue 6 checked, and the hand-written notes (bench/NOTES.md) appended."""

from pathlib import Path

NOTES = Path(__file__).resolve().parent / "NOTES.md"


def f(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def by_key(data):
    return {s["key"]: s for s in data["scenarios"]}


def added(s, base, field="latency_ms", q="p99"):
    if not base or not s.get(field) or not base.get(field):
        return None
    return s[field][q] - base[field][q]


def targets(data):
    s = by_key(data)
    rows = []
    def check(name, value, ok, limit):
        rows.append(f"| {name} | {value} | {limit} | {'met' if ok else '**not met**'} |")
    a = added(s.get("s2_post_chat"), s.get("s1_baseline"))
    probe = s.get("s2_post_chat_500")
    if a is not None:
        rate = s["s2_post_chat"]["target_rps"]
        check(f"added p99, POST /chat non-stream (measured at {rate:.0f}/s)", f"{a:.2f} ms",
              a <= 5 and rate >= 500, "<= 5 ms at 500/s")
    if probe:
        check("POST /chat offered 500/s (3 s probe)", f"{probe['achieved_rps']:.0f}/s achieved, "
              f"{100 * probe['error_rate']:.0f}% errors, p99 {probe['latency_ms']['p99']:.0f} ms",
              probe["achieved_rps"] >= 495 and probe["error_rate"] < 0.001, "500/s")
    hit = s.get("s4_get_chat_hit")
    if hit:
        check("GET /chat cache hit rate", f"{hit['achieved_rps']:.0f}/s", hit["achieved_rps"] >= 4950 and hit["error_rate"] < 0.001, ">= 5,000/s offered, served within 1 %")
        check("GET /chat cache hit p99", f"{hit['latency_ms']['p99']:.2f} ms", hit["latency_ms"]["p99"] <= 5, "<= 5 ms")
    t = added(s.get("s3_post_chat_stream"), s.get("s3_baseline_stream"), "ttft_ms")
    if t is not None:
        check("added time to first token p99", f"{t:.2f} ms", t <= 2, "<= 2 ms")
    passthrough_targets(data, check)
    hook = s.get(f"s9_v1_webhook_{webhook_rate(data)}")
    if hook:
        a = added(hook, s.get(hook.get("baseline")))
        rate = hook["target_rps"]
        check(f"custom model on a webhook through /v1 at {rate:.0f}/s, added p99", f"{f(a)} ms"
              + ("" if served(hook) else f" (served {hook['achieved_rps']:.0f}/s)"),
              served(hook) and a is not None and a <= 2 and rate >= 200, "<= 2 ms at 200/s")
    app_rss = [x["peak_rss_mb"] for x in data["scenarios"]
               if x["key"].split("_", 1)[1].startswith(("post", "get", "big", "login", "chat", "v1"))]
    rss = max(app_rss + [data.get("peak_rss_mb", 0)])
    quiet, flooded = s.get("s10_chat_quiet"), s.get("s10_chat_flooded")
    recall = data.get("recall_under_pressure") or {}
    if quiet and flooded:
        rise = flooded["latency_ms"]["p99"] - quiet["latency_ms"]["p99"]
        check("POST /chat p99 rise beside a flood of 32,000-character prompts (real embeddings)",
              f"{rise:.2f} ms", rise <= 5, "<= 5 ms")
        rates = [recall.get(k, {}).get("rate") for k in ("s10_chat_quiet", "s10_chat_flooded")]
        check("memory recall rate without / with the flood", " / ".join(f(r, 3) for r in rates),
              rates[1] is not None and rates[0] is not None and rates[1] >= 0.9 * rates[0],
              "keeps working (>= 90 % of the quiet run's)")
    check("service peak RSS over the run", f"{rss:.0f} MB", rss < 150, "< 150 MB")
    return rows


def webhook_rate(data):
    return f"{data['settings']['rates'].get('webhook', 200):g}"


def usage_table(data):
    """The usage reports' read times over a month of ledger rows (scenario 9)."""
    u = data.get("usage")
    if not u:
        return []
    out = ["", f"### Usage reports (scenario 9): a month of {u['rows']:,} ledger rows of {u['users']:,} users",
           "", f"Rows inserted by SQL in {u['seed_s']} s, then each report read one after another "
           "through the API (one client, so this is the report's own time, not a load run). ms.", "",
           "| report | rows counted | p50 | p99 | max |", "|---|---|---|---|---|"]
    for name, x in u["reads"].items():
        out.append(f"| {name} | {x['requests']:,} | {f(x['p50'])} | {f(x['p99'])} | {f(x['max'])} |")
    return out


def passthrough_side(data, proxy, rate):
    """(scenario or None, its baseline or None, why it was skipped or None) of scenario 8."""
    s = by_key(data)
    for x in data["scenarios"]:
        if x.get("proxy") == proxy and x["target_rps"] == rate:
            return x, s.get(x.get("baseline")), None
    for x in data.get("skipped", []):
        if x.get("proxy") == proxy and x["target_rps"] == rate:
            return None, None, x["reason"]
    return None, None, "not run"


def served(x):
    """Whether a run served its offered rate: within 1 %, errors under 0.1 %."""
    return x["achieved_rps"] >= 0.99 * x["target_rps"] and x["error_rate"] < 0.001


def passthrough_targets(data, check, rate=500):
    """polychat's /v1 at 500/s: added p50 <= 1 ms and p99 <= 2 ms with the rate served, and
    an added p99 at least 5x lower than LiteLLM's at the same rate (rows through `check`)."""
    if not any(x.get("proxy") for x in data["scenarios"] + data.get("skipped", [])):
        return
    mine, base, why = passthrough_side(data, "polychat", rate)
    theirs, their_base, their_why = passthrough_side(data, "litellm", rate)
    label = f"polychat /v1 pass-through at {rate}/s"
    if not mine:
        for what, limit in (("added p50", "<= 1 ms"), ("added p99", "<= 2 ms"), ("added p99 vs LiteLLM", ">= 5x lower")):
            check(f"{label}, {what}", f"not measured: {why}", False, f"{limit} at {rate}/s")
        return
    p50, p99 = added(mine, base, q="p50"), added(mine, base)
    rate_note = "" if served(mine) else f" (served {mine['achieved_rps']:.0f}/s, {100 * mine['error_rate']:.1f}% errors)"
    check(f"{label}, added p50", f"{f(p50)} ms{rate_note}", served(mine) and p50 is not None and p50 <= 1,
          f"<= 1 ms at {rate}/s")
    check(f"{label}, added p99", f"{f(p99)} ms{rate_note}", served(mine) and p99 is not None and p99 <= 2,
          f"<= 2 ms at {rate}/s")
    if not theirs:
        check(f"{label}, added p99 vs LiteLLM", f"LiteLLM not measured: {their_why}", False, ">= 5x lower")
        return
    their_p99 = added(theirs, their_base)
    ratio = "" if p99 is None or p99 <= 0 else f", {their_p99 / p99:.1f}x"
    check(f"{label}, added p99 vs LiteLLM's", f"{f(p99)} vs {f(their_p99)} ms{ratio}",
          p99 is not None and their_p99 is not None and their_p99 >= 5 * p99,
          ">= 5x lower at the same rate")


def passthrough_table(data):
    """Scenario 8 side by side: polychat's /v1 and LiteLLM's proxy at each rate."""
    rates = sorted({x["target_rps"] for x in data["scenarios"] + data.get("skipped", []) if x.get("proxy")})
    if not rates:
        return []
    sides = [(proxy, rate, *passthrough_side(data, proxy, rate)) for rate in rates for proxy in ("polychat", "litellm")]
    name = {"polychat": "polychat /v1", "litellm": "LiteLLM"}
    version = next((x["litellm_version"] for x in data["scenarios"] + data.get("skipped", [])
                    if x.get("litellm_version")), "")
    out = ["", "### OpenAI-compatible pass-through (scenario 8): polychat /v1 vs LiteLLM " + version, "",
           "The same non-streamed `POST /v1/chat/completions` (Bearer API key, `X-Memory: off`, no "
           "`X-Chat-Id`) in front of the zero-delay mock; *added* = this minus the mock measured "
           "directly at the same rate. LiteLLM: `--num_workers 1`, no database, master key auth. "
           "Latencies in ms; CPU = the proxy process's (with its children) per successful request; "
           "stack CPU adds every other process of the stack.", "",
           "| | " + " | ".join(f"{name[p]} at {r:g}/s" for p, r, *_ in sides) + " |",
           "|---|" + "---|" * len(sides)]
    def row(label, cell):
        out.append(f"| {label} | " + " | ".join(
            cell(x, base) if x else (f"skipped: {why}" if label == "achieved /s" else "–")
            for _, _, x, base, why in sides) + " |")
    row("achieved /s", lambda x, b: f"{x['achieved_rps']:.0f}" + ("" if served(x) else " (**saturated**)"))
    row("errors", lambda x, b: f"{x['errors']} ({100 * x['error_rate']:.2f}%)")
    row("p50 / p99", lambda x, b: f"{f(x['latency_ms']['p50'])} / {f(x['latency_ms']['p99'])}")
    row("baseline p50 / p99", lambda x, b: f"{f(b['latency_ms']['p50'])} / {f(b['latency_ms']['p99'])}" if b else "–")
    row("**added p50**", lambda x, b: f"**{f(added(x, b, q='p50'))}**")
    row("**added p99**", lambda x, b: f"**{f(added(x, b))}**")
    row("added p99.9", lambda x, b: f(added(x, b, q="p999")))
    row("proxy CPU ms/req", lambda x, b: f(x["server_cpu_ms_per_req"], 3))
    row("stack CPU ms/req", lambda x, b: f(x["server_cpu_ms_per_req"] + sum(x["stack_cpu_ms_per_req"].values()), 3))
    row("proxy RSS MB", lambda x, b: f"{x['rss_mb']:.0f}")
    return out


# The Server-Timing steps of a chat turn, in the order a turn runs them.
STEPS = (
    ("auth", "access token checked, denylist (Redis)"),
    ("idempotency", "Idempotency-Key claimed (Redis)"),
    ("rate", "per-user rate limit (Redis)"),
    ("account", "user and encrypted key read, key decrypted (PostgreSQL)"),
    ("chat", "chat read (MongoDB)"),
    ("history", "recent history read (MongoDB)"),
    ("embed", "prompt embedded (embeddings server)"),
    ("preferences", "preference lookups (pgvector)"),
    ("prompt", "user message stored; a new chat with it (MongoDB)"),
    ("placeholder", "streamed answer's message appended (MongoDB)"),
    ("invalidate", "cached pages dropped (Redis)"),
    ("upstream", "model call (mock upstream); for a stream, until its headers"),
    ("answer", "answer stored (MongoDB)"),
)
STEP_SCENARIOS = ("s2_post_chat", "s2_post_chat_continue", "s2_post_chat_60ms", "s3_post_chat_stream",
                  "s3_post_chat_stream_continue", "s2_post_chat_500")


def scenario_table(data, keys, field, heading, text, first_columns):
    """The scenarios of `keys` that reported `field`, and the heading, text and header
    row of a table with one column per scenario after `first_columns`."""
    s = by_key(data)
    shown = [s[k] for k in keys if k in s and s[k].get(field)]
    head = ["", f"### {heading}", "", text, "",
            "| " + " | ".join(first_columns) + " | " + " | ".join(x["title"] for x in shown) + " |",
            "|" + "---|" * (len(first_columns) + len(shown))]
    return shown, head


def steps_table(data):
    shown, out = scenario_table(
        data, STEP_SCENARIOS, "server_steps_ms", "Where a chat turn's time goes (Server-Timing steps)",
        "Each request's `Server-Timing` header names its steps and their durations (a "
        "name given twice in one request is summed); p50 / p99 in ms over the measured "
        "window. Steps in one group run concurrently: `rate`, `account`, `chat` and "
        "`history` together, beside `embed` then `preferences`; the turn waits for the "
        "slower side, then for `prompt`. `app` is the whole request as the service saw it.",
        ("step", "what"))
    if not shown:
        return []
    def cell(summary):
        return "–" if not summary else f"{f(summary['p50'])} / {f(summary['p99'])}"
    out.append("| app | the whole request | " + " | ".join(cell(x.get("server_ms")) for x in shown) + " |")
    for name, what in STEPS:
        if any(name in x["server_steps_ms"] for x in shown):
            out.append(f"| {name} | {what} | "
                       + " | ".join(cell(x["server_steps_ms"].get(name)) for x in shown) + " |")
    return out


CPU_SCENARIOS = ("s2_post_chat", "s3_post_chat_stream", "s4_get_chat_hit", "s2_post_chat_500")


def cpu_table(data):
    shown, out = scenario_table(
        data, CPU_SCENARIOS, "stack_cpu_ms_per_req", "CPU time per request, by process",
        "User+system CPU of each process of the stack over the measured window, divided by "
        "the requests served (ms). On this machine's 2 cores, 2,000 ms of CPU a second is "
        "all there is, so the total bounds the rate the whole stack can serve.",
        ("process",))
    if not shown:
        return []
    names = ["service"] + list(shown[0]["stack_cpu_ms_per_req"])
    def cpu(x, name):
        return x["server_cpu_ms_per_req"] if name == "service" else x["stack_cpu_ms_per_req"][name]
    for name in names:
        out.append(f"| {name} | " + " | ".join(f(cpu(x, name), 3) for x in shown) + " |")
    totals = [sum(cpu(x, n) for n in names) for x in shown]
    out.append("| **total** | " + " | ".join(f"**{f(t, 3)}**" for t in totals) + " |")
    out.append("| rate 2 cores allow | " + " | ".join(f"{2000 / t:,.0f}/s" if t else "–" for t in totals) + " |")
    return out


def markdown(data):
    s = by_key(data)
    m = data["machine"]
    out = [
        f"# Benchmark {data['date'][:10]}",
        "",
        f"`make bench`, run `{data['run_id']}`, commit `{m['commit']}`: {m['cpus']} × {m['cpu']}, "
        f"Linux {m['kernel']}; everything on loopback on the same cores (service, mock upstream, "
        f"load generator, PostgreSQL, FerretDB, Redis). Each run: {data['settings']['warmup_s']:.0f} s "
        f"warm-up, then {data['settings']['duration_s']:.0f} s measured, open loop at a fixed rate, "
        "latency from each request's intended start (no coordinated omission). Whole bench: "
        f"{data['wall_s']:.0f} s."
        + (f" Load average when it started: {' / '.join(f'{x:.2f}' for x in m['loadavg_at_start'])} "
           "(1/5/15 min; above 0.2 or so, something else was running)." if m.get("loadavg_at_start") else ""),
        "",
        "## Targets",
        "",
        "| target | measured | limit | |",
        "|---|---|---|---|",
        *targets(data),
        "",
        "## Scenarios",
        "",
        "Latencies in ms. *added* = this run minus its baseline (same rate, same machine). "
        "CPU = the serving process's user+system CPU time per successful request; RSS = its "
        "resident memory after the run (the service's, or the mock's for baselines).",
        "",
        "| scenario | rate /s | achieved /s | p50 | p99 | p99.9 | errors | CPU ms/req | RSS MB | baseline p50 / p99 | added p50 / p99 | server-timing p50 / p99 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in data["scenarios"]:
        base = s.get(x.get("baseline"))
        lat = x["latency_ms"]
        st = x.get("server_ms") or {}
        out.append(
            f"| {x['title']} | {x['target_rps']:.0f} | {x['achieved_rps']:.0f} | {f(lat['p50'])} | "
            f"{f(lat['p99'])} | {f(lat['p999'])} | {x['errors']} ({100 * x['error_rate']:.2f}%) | "
            f"{f(x['server_cpu_ms_per_req'], 3)} | {x['rss_mb']:.0f} | "
            + (f"{f(base['latency_ms']['p50'])} / {f(base['latency_ms']['p99'])} | "
               f"{f(added(x, base, q='p50'))} / {f(added(x, base))} | " if base else "– | – | ")
            + (f"{f(st.get('p50'))} / {f(st.get('p99'))} |" if st else "– |"))
    for x in data.get("skipped", []):
        out.append(f"| {x['title']} | {x['target_rps']:.0f} | skipped: {x['reason']} |" + " – |" * 9)
    stream, base = s.get("s3_post_chat_stream"), s.get("s3_baseline_stream")
    if stream and base:
        out += ["", "### Streaming (scenario 3): 20 chunks 10 ms apart", "",
                "| | TTFT p50 | TTFT p99 | TTFT p99.9 | gap p50 | gap p99 | gap p99.9 |",
                "|---|---|---|---|---|---|---|"]
        rows = [("mock upstream", base, False), ("POST /chat stream, new chat", stream, True)]
        if s.get("s3_post_chat_stream_continue"):
            rows.append(("POST /chat stream, continuing a chat", s["s3_post_chat_stream_continue"], True))
        for name, x, with_added in rows:
            t, g = x["ttft_ms"] or {}, x["gap_ms"] or {}
            out.append(f"| {name} | {f(t.get('p50'))} | {f(t.get('p99'))} | {f(t.get('p999'))} | "
                       f"{f(g.get('p50'))} | {f(g.get('p99'))} | {f(g.get('p999'))} |")
            if with_added:
                out.append(f"| **added** | {f(added(x, base, 'ttft_ms', 'p50'))} | {f(added(x, base, 'ttft_ms'))} | "
                           f"{f(added(x, base, 'ttft_ms', 'p999'))} | {f(added(x, base, 'gap_ms', 'p50'))} | "
                           f"{f(added(x, base, 'gap_ms'))} | {f(added(x, base, 'gap_ms', 'p999'))} |")
    out += passthrough_table(data)
    out += usage_table(data)
    out += steps_table(data)
    out += cpu_table(data)
    mem = data.get("memory")
    if mem:
        out += ["", f"### Memory path (scenario 5): {mem['preferences']:,} preferences of {mem['users']:,} users",
                "", "| part | n | p50 | p99 | p99.9 |", "|---|---|---|---|---|"]
        for label, k in (("embed the prompt (real embeddings server)", "embed_ms"),
                         ("detect preferences (in process)", "detect_ms"),
                         ("pgvector nearest (5, similarity >= 0.80)", "nearest_ms"),
                         ("newest style preferences", "styles_ms"),
                         ("both lookups together, as recall runs them", "lookup_ms")):
            x = mem[k]
            out.append(f"| {label} | {x['count']} | {f(x['p50'], 3)} | {f(x['p99'], 3)} | {f(x['p999'], 3)} |")
    login = s.get("s7_chat_with_logins")
    if login and login.get("background"):
        l = login["background"]["logins"]
        out += ["", f"Scenario 7: beside the chat load, logins ran at {l['achieved_rps']:.1f}/s "
                f"(p50 {f(l['latency_ms']['p50'])} ms, p99 {f(l['latency_ms']['p99'])} ms, {l['errors']} errors)."]
    sd = data["seed"]
    if "big_chat_messages" not in sd:  # BENCH_ONLY: no chats or preferences seeded
        only = {"v1": "8", "webhook": "9", "pressure": "10"}.get(data.get("only"), "?")
        out += ["", f"Only scenario {only} ran (`BENCH_ONLY={data.get('only')}`), with {sd['users']} accounts. "
                f"Service RSS at the end: {data['final_rss_mb']:.0f} MB, peak {data['peak_rss_mb']:.0f} MB.", ""]
        return "\n".join(out)
    out += ["", f"Seed: {sd['users']} accounts, a chat of {sd['big_chat_messages']:,} messages "
            f"(inserted through the MongoDB adapter in {sd['big_chat_seed_s']} s), {sd['preferences']:,} "
            f"preferences of {sd['memory_users']:,} users (SQL, {sd['preferences_seed_s']} s). "
            f"Service RSS at the end: {data['final_rss_mb']:.0f} MB, peak {data['peak_rss_mb']:.0f} MB.", ""]
    if NOTES.exists():
        out += [NOTES.read_text().rstrip(), ""]
    return "\n".join(out)
