// Admins only: the custom-model registry (create, edit, test, deactivate, versions and
// restore) and everyone's usage by user and by model.
import { html, useEffect, useState } from "../html.js";
import { Dialog } from "./dialog.js";
import { describe } from "./errors.js";
import { Usage } from "./usage.js";

const FIELDS = [
  ["slug", "slug"], ["name", "name"], ["description", "description"],
  ["chat_webhook_url", "chatWebhook"], ["completions_webhook_url", "completionsWebhook"],
  ["fallback_model", "fallback"],
];

function ModelForm({ t, model, onSave, onCancel }) {
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {};
    for (const [field] of FIELDS) {
      const value = form.get(field).trim();
      if (value || model) body[field] = value || null;
    }
    body.timeout_seconds = Number(form.get("timeout_seconds")) || 60;
    body.allowed_usernames = form.get("allowed_usernames").split(",").map((u) => u.trim()).filter(Boolean);
    body.is_active = form.get("is_active") === "on";
    onSave(body);
  };
  return html`<form class="model-form" onSubmit=${submit}>
    ${FIELDS.map(([field, label]) => html`<label>${t(label)}<input name=${field} value=${model?.[field] || ""}
      required=${["slug", "name", "chat_webhook_url", "completions_webhook_url"].includes(field)} /></label>`)}
    <label>${t("timeout")}<input name="timeout_seconds" type="number" min="1" max="300" value=${model?.timeout_seconds || 60} /></label>
    <label>${t("allowedUsers")}<input name="allowed_usernames" value=${(model?.allowed_usernames || []).join(", ")} /></label>
    <label class="switch"><input type="checkbox" name="is_active" checked=${model ? model.is_active : true} /> ${t("active")}</label>
    <div class="row end"><button type="button" onClick=${onCancel}>${t("cancel")}</button>
      <button type="submit" class="primary">${t("save")}</button></div>
  </form>`;
}

function Versions({ api, t, model, onRestored }) {
  const [items, setItems] = useState([]);
  useEffect(() => { api.call("GET", `/admin/models/${model.id}/versions`).then((r) => setItems(r.items)); }, [model]);
  const restore = async (version) => onRestored(await api.call("POST", `/admin/models/${model.id}/versions/${version}/restore`));
  return html`<ul class="list">${items.map((v) => html`<li class="row" key=${v.version}>
    <span class="grow">v${v.version} · ${t.date(v.changed_at)} · ${v.model.name}</span>
    <button type="button" onClick=${() => restore(v.version)}>${t("restore")} v${v.version}</button></li>`)}</ul>`;
}

export function AdminPanel({ api, t, onClose }) {
  const [models, setModels] = useState([]);
  const [editing, setEditing] = useState(null);
  const [open, setOpen] = useState(null);
  const [message, setMessage] = useState("");
  const guard = (work) => work().catch((e) => setMessage(describe(e, t)));
  const load = () => guard(async () => setModels((await api.call("GET", "/admin/models?include_inactive=true")).items));
  useEffect(() => { load(); }, []);

  const save = (body) => guard(async () => {
    if (editing === "new") {
      const created = await api.call("POST", "/admin/models", body);
      setMessage(`${t("signingSecret")}: ${created.signing_secret}`);
    } else {
      await api.call("PUT", `/admin/models/${editing.id}`, body);
      setMessage(t("saved"));
    }
    setEditing(null);
    await load();
  });
  const test = (model) => guard(async () => {
    const result = await api.call("POST", `/admin/models/${model.id}/test`, { webhook_type: "chat" });
    setMessage(result.ok ? t("testOk", { ms: t.number(result.latency_ms) }) : `${model.slug}: ${result.error || result.status}`);
  });
  const deactivate = (model) => guard(async () => {
    await api.call("DELETE", `/admin/models/${model.id}`);
    await load();
  });

  return html`<${Dialog} t=${t} title=${t("admin")} onClose=${onClose} wide>
    <section><h3>${t("models")}</h3>
      ${message && html`<p class="ok" role="status">${message}</p>`}
      ${editing ? html`<${ModelForm} t=${t} model=${editing === "new" ? null : editing}
          onSave=${save} onCancel=${() => setEditing(null)} />`
        : html`<button type="button" onClick=${() => setEditing("new")}>${t("createModel")}</button>`}
      <ul class="list">${models.map((m) => html`<li key=${m.id}>
        <div class="row"><span class="grow"><strong>${m.name}</strong> <code>${m.slug}</code> v${m.version}
          ${!m.is_active && html` <span class="tag">${t("inactive")}</span>`}</span>
          <button type="button" aria-label=${t("editModel", { name: m.name })} onClick=${() => setEditing(m)}>${t("edit")}</button>
          <button type="button" onClick=${() => test(m)}>${t("test")}</button>
          <button type="button" onClick=${() => setOpen(open === m.id ? null : m.id)} aria-expanded=${open === m.id}>${t("versions")}</button>
          ${m.is_active && html`<button type="button" class="danger" onClick=${() => deactivate(m)}>${t("deactivate")}</button>`}
        </div>
        ${open === m.id && html`<${Versions} api=${api} t=${t} model=${m} onRestored=${load} />`}
      </li>`)}</ul>
    </section>
    <${Usage} api=${api} t=${t} path="/admin/usage" groups=${["user", "model"]} title=${t("usage")} />
  <//>`;
}
