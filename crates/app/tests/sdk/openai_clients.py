"""The official `openai` Python SDK against a running polychat (started by the Rust test
`openai_sdk`, with a mock upstream it controls). Exits non-zero on the first broken
expectation, naming it. Environment: POLYCHAT_URL, POLYCHAT_KEY (a working credential),
POLYCHAT_BAD_KEY, POLYCHAT_REVOKED_KEY."""

import json
import os
import sys
import urllib.request

import openai
from openai import OpenAI

BASE = os.environ["POLYCHAT_URL"]
KEY = os.environ["POLYCHAT_KEY"]
MODEL = "openai/gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say hello in Portuguese"}]


def client(key=KEY):
    return OpenAI(base_url=f"{BASE}/v1", api_key=key, max_retries=0, timeout=20)


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")
    print(f"ok: {what}")


def raises(error_type, call, what):
    try:
        call()
    except error_type as error:
        check(True, f"{what} ({error_type.__name__}: {error.status_code})")
        return error
    except Exception as error:  # noqa: BLE001 - the wrong error is the finding
        sys.exit(f"FAILED: {what}: got {type(error).__name__}: {error}")
    sys.exit(f"FAILED: {what}: no error raised")


def models():
    listed = client().models.list()
    ids = [model.id for model in listed.data]
    check(MODEL in ids and "anthropic/claude-3.5-sonnet" in ids, f"models list: {ids}")
    one = client().models.retrieve(MODEL)
    check(one.id == MODEL and one.owned_by == "openai", "models retrieve with a '/' in the id")
    raises(openai.NotFoundError, lambda: client().models.retrieve("nobody/nothing"),
           "an unknown model id")


def completions():
    whole = client().chat.completions.create(model=MODEL, messages=MESSAGES)
    text = whole.choices[0].message.content
    check(text == "Olá, mundo!", f"non-streamed content: {text!r}")
    check(whole.id.startswith("chatcmpl-") and whole.model == MODEL, "id and model")
    check(whole.usage.total_tokens == 12 and whole.choices[0].finish_reason == "stop",
          "usage and finish reason")

    chunks = list(client().chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True}))
    check(len({chunk.id for chunk in chunks}) == 1, "one id on every chunk")
    check(chunks[0].choices[0].delta.role == "assistant", "the first delta carries the role")
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    check(streamed == text, f"streamed text equals the whole text: {streamed!r}")
    last = chunks[-1]
    check(last.choices == [] and last.usage is not None and last.usage.total_tokens == 12,
          "a final usage chunk")
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    check(finish == ["stop"], "the last content chunk has the finish reason")

    legacy = client().completions.create(model=MODEL, prompt="Once upon a time")
    check(legacy.choices[0].text == " there was a mock.", f"legacy completion: {legacy.choices[0].text!r}")
    check(legacy.object == "text_completion", "legacy object")


def errors():
    raises(openai.AuthenticationError,
           lambda: client(os.environ["POLYCHAT_BAD_KEY"]).models.list(), "a bad key")
    raises(openai.AuthenticationError,
           lambda: client(os.environ["POLYCHAT_REVOKED_KEY"]).chat.completions.create(
               model=MODEL, messages=MESSAGES), "a revoked key")
    raises(openai.NotFoundError,
           lambda: client().chat.completions.create(model="nobody", messages=MESSAGES),
           "an unknown model")
    bad = raises(openai.BadRequestError,
                 lambda: client().chat.completions.create(model=MODEL, messages=[]),
                 "a bad body")
    check(bad.body.get("param") == "messages" and bad.body.get("type") == "invalid_request_error",
          f"the bad body names the field: {bad.body}")
    limited = raises(openai.RateLimitError,
                     lambda: client().chat.completions.create(model="vendor/limited", messages=MESSAGES),
                     "an upstream 429")
    check(limited.response.headers.get("retry-after") == "7", "the 429 carries Retry-After")


def stored_chats():
    first = client().chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, extra_headers={"X-Chat-Id": "new"})
    chat_id = first.headers.get("x-chat-id")
    check(bool(chat_id), "X-Chat-Id: new answers with the chat's id")
    follow_up = MESSAGES + [{"role": "assistant", "content": "Olá, mundo!"},
                            {"role": "user", "content": "And in Spanish?"}]
    second = client().chat.completions.with_raw_response.create(
        model=MODEL, messages=follow_up, extra_headers={"X-Chat-Id": chat_id})
    check(second.headers.get("x-chat-id") == chat_id, "the same chat id again")
    request = urllib.request.Request(f"{BASE}/chat?chat_id={chat_id}",
                                     headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(request) as response:
        chat = json.load(response)
    contents = [(m["role"], m["content"]) for m in chat["messages"]]
    check(contents == [("user", "Say hello in Portuguese"), ("assistant", "Olá, mundo!"),
                       ("user", "And in Spanish?"), ("assistant", "Olá, mundo!")],
          f"both exchanges stored in the chat: {contents}")


models()
completions()
errors()
stored_chats()
print("all SDK checks passed")
