// The chat list: newest first, more pages as it scrolls (or with "Load more"), rename in
// place, delete after confirmation, and the "New chat" button.
import { html, useEffect, useLayoutEffect, useRef, useState } from "../html.js";
import { Confirm } from "./dialog.js";

const PAGE = 30;

const icon = (path) => html`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"
  fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d=${path} /></svg>`;
const PENCIL = "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4";
const TRASH = "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6";

export function useChats(api) {
  const [chats, setChats] = useState({ items: [], cursor: null, loaded: false });
  const load = async (cursor) => {
    const query = new URLSearchParams({ limit: PAGE });
    if (cursor) query.set("cursor", cursor);
    const page = await api.call("GET", `/chats?${query}`);
    setChats((previous) => ({
      items: cursor ? [...previous.items, ...page.items] : page.items,
      cursor: page.next_cursor, loaded: true,
    }));
  };
  return { chats, load, setChats };
}

function ChatItem({ chat, current, t, onOpen, onRename, onDelete }) {
  const [editing, setEditing] = useState(false);
  const input = useRef(null);
  // The input is uncontrolled and filled once, before the browser paints it: a re-render while
  // editing (the list refreshed by an answer) must not put the old title back over the typing.
  useLayoutEffect(() => {
    if (!editing) return;
    input.current.value = chat.title || "";
    input.current.select();
  }, [editing]);
  const title = chat.title || t("newChat");
  if (editing) {
    const finish = async (save) => {
      // Saving unmounts the input, which blurs it: the second call finds it gone.
      if (!input.current) return;
      const value = input.current.value.trim();
      setEditing(false);
      if (save && value && value !== chat.title) await onRename(chat, value);
    };
    return html`<li><form class="rename" onSubmit=${(e) => { e.preventDefault(); finish(true); }}>
      <input ref=${input} aria-label=${t("chatTitle")} maxlength="200"
        onKeyDown=${(e) => { if (e.key === "Escape") { e.stopPropagation(); finish(false); } }}
        onBlur=${() => finish(true)} />
    </form></li>`;
  }
  return html`<li class=${current ? "current" : ""}>
    <button type="button" class="open" aria-current=${current ? "page" : undefined}
      onClick=${() => onOpen(chat.chat_id)}>${title}</button>
    <button type="button" class="icon" aria-label=${t("renameChat", { title })}
      title=${t("rename")} onClick=${() => setEditing(true)}>${icon(PENCIL)}</button>
    <button type="button" class="icon" aria-label=${t("deleteChat", { title })}
      title=${t("delete")} onClick=${() => onDelete(chat)}>${icon(TRASH)}</button>
  </li>`;
}

export function Sidebar({ api, t, state, currentId, onOpen, onNew, open }) {
  const { chats, load, setChats } = state;
  const [deleting, setDeleting] = useState(null);
  const sentinel = useRef(null);

  useEffect(() => {
    if (!chats.cursor || !sentinel.current) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) load(chats.cursor);
    });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [chats.cursor]);

  const rename = async (chat, title) => {
    const updated = await api.call("PATCH", `/chats/${chat.chat_id}`, { title });
    setChats((c) => ({ ...c, items: c.items.map((i) => (i.chat_id === chat.chat_id ? updated : i)) }));
  };
  const remove = async () => {
    const chat = deleting;
    setDeleting(null);
    await api.call("DELETE", `/chats/${chat.chat_id}`);
    setChats((c) => ({ ...c, items: c.items.filter((i) => i.chat_id !== chat.chat_id) }));
    if (chat.chat_id === currentId) onNew();
  };

  return html`<nav class=${open ? "sidebar open" : "sidebar"} aria-label=${t("chats")} id="sidebar">
    <button type="button" class="primary new" onClick=${onNew}>${t("newChat")}</button>
    <ul>
      ${chats.items.map((chat) => html`<${ChatItem} key=${chat.chat_id} chat=${chat} t=${t}
        current=${chat.chat_id === currentId} onOpen=${onOpen} onRename=${rename}
        onDelete=${setDeleting} />`)}
    </ul>
    ${chats.loaded && !chats.items.length && html`<p class="muted">${t("noChats")}</p>`}
    ${chats.cursor && html`<button type="button" ref=${sentinel} class="link"
      onClick=${() => load(chats.cursor)}>${t("loadMore")}</button>`}
    ${deleting && html`<${Confirm} t=${t} action=${t("delete")}
      text=${t("confirmDelete", { title: deleting.title || t("newChat") })}
      onConfirm=${remove} onClose=${() => setDeleting(null)} />`}
  </nav>`;
}
