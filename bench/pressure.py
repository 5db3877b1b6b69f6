"""Scenario 10: embeddings under pressure. 20 users chat at BENCH_CHAT_RATE in total with
the real local embeddings server (each has a style preference, recalled whenever their
prompt's embedding comes back in time), once alone and once while one other user sends
32,000-character prompts at 1/s. A sampler user beside them measures the recall rate:
the share of its turns whose answer used its memory."""

import threading
import time

from stack import call

PROMPT = "Como estruturo um projeto Rust com vários crates?"
BODY = {"prompt": PROMPT, "model": "mock/fast"}
PREFERENCE = {"text": "Prefiro respostas curtas e diretas", "kind": "style"}
LONG_PROMPT = "Sou engenheira de dados. " + "linha de log com detalhes do erro 42; " * 830 + \
    " O que causa esse erro?"
SAMPLE_EVERY = 0.5


def seed(stack, count):
    users = stack.users("press", count + 2)
    for _, token in users:
        status, body = call(stack.base, "POST", "/user/preferences", PREFERENCE, token)
        if status != 201:
            raise RuntimeError(f"POST /user/preferences: {status} {body}")
    return [token for _, token in users]


def sampler(stack, token, stop, out):
    """Turns of one user until `stop`; appends whether each used the memory."""
    while not stop.is_set():
        started = time.time()
        status, turn = call(stack.base, "POST", "/chat", BODY, token)
        if status == 200:
            out.append(bool(turn["memories"]["used"]))
        stop.wait(max(0.0, SAMPLE_EVERY - (time.time() - started)))


def flood(stack, token, stop, sent):
    while not stop.is_set():
        started = time.time()
        call(stack.base, "POST", "/chat", dict(BODY, prompt=LONG_PROMPT), token)
        sent.append(time.time() - started)
        stop.wait(max(0.0, 1.0 - (time.time() - started)))


def run(b, stack, rate, embeddings_url):
    """Both runs into `b`; returns the recall rates. Leaves the app on the real
    embeddings server (the caller restarts it as it needs)."""
    stack.start_app(bcrypt_cost=4, env={"EMBEDDINGS_BASE_URL": embeddings_url})
    tokens = seed(stack, 20)
    chatters, samplers = tokens[:20], tokens[20:]
    recall = {}
    for key, title, sampler_token, flooding in (
            ("s10_chat_quiet", "POST /chat, real embeddings, no flood", samplers[0], False),
            ("s10_chat_flooded", "POST /chat, real embeddings, one user flooding 32,000-character prompts at 1/s",
             samplers[1], True)):
        stop, used, flood_times = threading.Event(), [], []
        threads = [threading.Thread(target=sampler, args=(stack, sampler_token, stop, used))]
        if flooding:
            flood_token = stack.user("pressflood")[1]
            threads.append(threading.Thread(target=flood, args=(stack, flood_token, stop, flood_times)))
        for t in threads:
            t.start()
        try:
            b.load(key, title, "10", stack.base, "/chat", rate, stack.app.pid, "POST", BODY,
                   tokens=chatters, extra={"baseline": "s10_chat_quiet"} if flooding else None)
        finally:
            stop.set()
            for t in threads:
                t.join()
        recall[key] = {"turns": len(used), "recalled": sum(used),
                       "rate": round(sum(used) / len(used), 3) if used else None,
                       "flood_prompts": len(flood_times)}
    return recall
