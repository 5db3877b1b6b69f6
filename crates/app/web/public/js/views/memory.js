// The Memory panel: what polychat remembers about the user (list, add, edit, delete)
// and the switch that turns memory off.
import { html, useEffect, useState } from "../html.js";
import { Dialog } from "./dialog.js";
import { describe } from "./errors.js";

function Preference({ t, item, onSave, onDelete }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return html`<li><form class="row" onSubmit=${(e) => {
      e.preventDefault(); setEditing(false); onSave(item, new FormData(e.target).get("text"));
    }}>
      <input name="text" aria-label=${t("editMemory")} value=${item.text} required autofocus />
      <button type="submit">${t("save")}</button>
      <button type="button" onClick=${() => setEditing(false)}>${t("cancel")}</button>
    </form></li>`;
  }
  return html`<li class="row">
    <span class="grow">${item.text} <span class="tag">${t(`kind_${item.kind}`)}</span></span>
    <button type="button" onClick=${() => setEditing(true)}>${t("edit")}</button>
    <button type="button" class="danger" aria-label=${t("deleteMemory", { text: item.text })}
      onClick=${() => onDelete(item)}>${t("delete")}</button>
  </li>`;
}

export function MemoryPanel({ api, t, profile, setProfile, onClose }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState("");
  const guard = (work) => work().catch((e) => setError(describe(e, t)));
  const load = () => guard(async () => setItems((await api.call("GET", "/user/preferences")).items));
  useEffect(() => { load(); }, []);

  const add = (event) => guard(async () => {
    event.preventDefault();
    const form = event.target;
    await api.call("POST", "/user/preferences", { text: new FormData(form).get("text") });
    form.reset();
    await load();
  });
  const save = (item, text) => guard(async () => {
    await api.call("PUT", `/user/preferences/${item.id}`, { text });
    await load();
  });
  const remove = (item) => guard(async () => {
    await api.call("DELETE", `/user/preferences/${item.id}`);
    await load();
  });
  const toggle = (event) => guard(async () => {
    setProfile(await api.call("PUT", "/user/profile", { memory_enabled: event.target.checked }));
  });

  return html`<${Dialog} t=${t} title=${t("memory")} onClose=${onClose}>
    <label class="switch"><input type="checkbox" checked=${profile.memory_enabled}
      onChange=${toggle} /> ${t("memoryEnabled")}</label>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${items && !items.length && html`<p class="muted">${t("noMemories")}</p>`}
    <ul class="list">${(items || []).map((item) => html`<${Preference} key=${item.id} t=${t}
      item=${item} onSave=${save} onDelete=${remove} />`)}</ul>
    <form class="row" onSubmit=${add}>
      <input name="text" aria-label=${t("memoryText")} placeholder=${t("addMemory")} required class="grow" />
      <button type="submit">${t("add")}</button>
    </form>
  <//>`;
}
