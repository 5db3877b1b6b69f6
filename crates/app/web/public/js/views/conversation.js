// One chat: its messages (answers rendered from sanitized markdown, with token usage and
// the memories saved and used), and the composer that streams a new answer in as it is
// written. Enter sends, Shift+Enter starts a new line, Stop aborts the stream.
import { html, useEffect, useRef, useState } from "../html.js";
import { describe } from "./errors.js";

// The markdown renderer and its libraries load beside the chat, not before it: until they
// are there an answer shows as plain text.
let renderMarkdown = null;
const markdownReady = import("../markdown.js").then((module) => { renderMarkdown = module.renderMarkdown; });

function Markdown({ source, t }) {
  const ref = useRef(null);
  useEffect(() => {
    const show = () => {
      if (ref.current) ref.current.replaceChildren(renderMarkdown(source, t));
    };
    if (renderMarkdown) show();
    else {
      ref.current.textContent = source;
      markdownReady.then(show);
    }
  }, [source, t]);
  return html`<div class="markdown" ref=${ref}></div>`;
}

function Memories({ t, label, items }) {
  if (!items?.length) return null;
  return html`<details class="memories"><summary>${label} (${t.number(items.length)})</summary>
    <ul>${items.map((p) => html`<li key=${p.id}>${p.text}</li>`)}</ul></details>`;
}

function Message({ message, t }) {
  const mine = message.role === "user";
  const who = mine ? t("you") : t("assistant");
  const usage = message.usage;
  return html`<article class=${mine ? "message user" : "message assistant"} aria-label=${who}>
    <header><strong>${who}</strong>
      ${message.model && !mine && html`<span class="muted"> · ${message.model}</span>`}
      ${message.created_at && html`<time class="muted" datetime=${message.created_at}> · ${t.date(message.created_at)}</time>`}
    </header>
    ${mine ? html`<p class="plain">${message.content}</p>` : html`<${Markdown} source=${message.content} t=${t} />`}
    ${message.streaming && html`<span class="cursor" aria-hidden="true">▍</span>`}
    ${message.note && html`<p class="muted">${message.note}</p>`}
    ${message.error && html`<p class="error">${typeof message.error === "string"
      ? message.error : describe(message.error, t)}</p>`}
    <footer>
      ${usage && html`<span class="muted usage">${t("tokens", { total: t.number(usage.total_tokens),
        prompt: t.number(usage.prompt_tokens), completion: t.number(usage.completion_tokens) })}</span>`}
      <${Memories} t=${t} label=${t("remembered")} items=${message.memories?.saved} />
      <${Memories} t=${t} label=${t("usedMemories")} items=${message.memories?.used} />
    </footer>
  </article>`;
}

function Composer({ t, streaming, draft, onSend, onStop }) {
  const box = useRef(null);
  useEffect(() => { if (!streaming) box.current.focus(); }, [streaming]);
  useEffect(() => { if (draft) box.current.value = draft.text; }, [draft]);
  const submit = (event) => {
    event?.preventDefault();
    const text = box.current.value.trim();
    if (!text || streaming) return;
    box.current.value = "";
    onSend(text);
  };
  return html`<form class="composer" onSubmit=${submit}>
    <label class="visually-hidden" for="message">${t("message")}</label>
    <textarea id="message" ref=${box} rows="2" placeholder=${t("message")}
      onKeyDown=${(e) => { if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e); }}></textarea>
    ${streaming
      ? html`<button type="button" class="danger" onClick=${onStop}>${t("stop")}</button>`
      : html`<button type="submit" class="primary">${t("send")}</button>`}
  </form>`;
}

const HISTORY_PAGE = 50;

export function Conversation({ api, t, chatId, model, onCreated, onAnswered, onOpenSettings }) {
  const [messages, setMessages] = useState([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState(null);
  // A prompt that could not be sent goes back into the composer.
  const [draft, setDraft] = useState(null);
  // Where the page of older messages starts (null: the chat's start is shown).
  const [older, setOlder] = useState(null);
  const created = useRef(null);
  const page = (before) => {
    const query = new URLSearchParams({ chat_id: chatId, limit: HISTORY_PAGE });
    if (before) query.set("before", before);
    return api.call("GET", `/chat?${query}`);
  };
  const loadOlder = () => page(older).then((chat) => {
    setMessages((list) => [...chat.messages, ...list]);
    setOlder(chat.next_before);
  }).catch((e) => setError(e));
  const abort = useRef(null);
  const end = useRef(null);

  useEffect(() => {
    setError(null);
    if (!chatId) { setMessages([]); return; }
    if (created.current === chatId) return;
    page().then((chat) => { setMessages(chat.messages); setOlder(chat.next_before); })
      .catch((e) => setError(e));
  }, [chatId]);
  // New text scrolls into view only while the reader is at the bottom already.
  const atBottom = useRef(true);
  const onScroll = (event) => {
    const box = event.currentTarget;
    atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  };
  useEffect(() => { if (atBottom.current) end.current?.scrollIntoView({ block: "end" }); }, [messages]);

  const patchLast = (change) => setMessages((list) => {
    if (!list.length) return list;
    const copy = list.slice();
    copy[copy.length - 1] = { ...copy[copy.length - 1], ...change(copy[copy.length - 1]) };
    return copy;
  });

  const send = async (prompt) => {
    atBottom.current = true;
    setError(null);
    const now = new Date().toISOString();
    setMessages((list) => [...list, { id: `local-${now}`, role: "user", content: prompt, created_at: now },
      { id: `answer-${now}`, role: "assistant", content: "", streaming: true, model }]);
    setStreaming(true);
    abort.current = new AbortController();
    try {
      await api.stream({ chat_id: chatId || "", prompt, model: model || undefined }, (name, data) => {
        if (name === "meta" && data.chat_id && data.chat_id !== chatId) {
          created.current = data.chat_id;
          onCreated(data.chat_id);
        } else if (name === "delta") {
          patchLast((m) => ({ content: m.content + data.content }));
        } else if (name === "done") {
          patchLast(() => ({ ...data.message, memories: data.memories, streaming: false }));
        } else if (name === "error") {
          patchLast(() => ({ streaming: false, error: describe(data, t) }));
        }
      }, abort.current.signal);
    } catch (caught) {
      if (caught.name === "AbortError") {
        patchLast(() => ({ streaming: false, note: t("stopped") }));
      } else {
        setMessages((list) => list.slice(0, -2));
        setDraft({ text: prompt });
        setError(caught);
      }
    } finally {
      patchLast((m) => (m.streaming ? { streaming: false, note: t("incomplete") } : {}));
      setStreaming(false);
      onAnswered();
    }
  };

  return html`<section class="conversation">
    <div class="messages" aria-live="polite" aria-busy=${streaming} onScroll=${onScroll}>
      ${older && html`<button type="button" class="link" onClick=${loadOlder}>${t("loadEarlier")}</button>`}
      ${!messages.length && html`<p class="empty muted">${t("emptyChat")}</p>`}
      ${messages.map((m) => html`<${Message} key=${m.id} message=${m} t=${t} />`)}
      <div ref=${end}></div>
    </div>
    ${error && html`<div class="error banner" role="alert">${describe(error, t)}
      ${["openrouter_key_missing", "upstream_unauthorized"].includes(error.code)
        && html` <button type="button" onClick=${onOpenSettings}>${t("openSettings")}</button>`}</div>`}
    <${Composer} t=${t} streaming=${streaming} draft=${draft} onSend=${send} onStop=${() => abort.current?.abort()} />
  </section>`;
}
