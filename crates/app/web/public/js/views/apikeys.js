// Personal API keys: create one (its secret is shown once, with a copy button), list
// them, revoke one.
import { html, useEffect, useState } from "../html.js";
import { describe } from "./errors.js";

export function ApiKeys({ api, t }) {
  const [keys, setKeys] = useState([]);
  const [created, setCreated] = useState(null);
  const [error, setError] = useState("");
  const [copied, setCopied] = useState(false);
  const guard = (work) => work().catch((e) => setError(describe(e, t)));
  const load = () => guard(async () => setKeys((await api.call("GET", "/user/api-keys")).items));
  useEffect(() => { load(); }, []);

  const create = (event) => guard(async () => {
    event.preventDefault();
    const form = event.target;
    setCreated(await api.call("POST", "/user/api-keys", { name: new FormData(form).get("name") }));
    setCopied(false);
    form.reset();
    await load();
  });
  const revoke = (key) => guard(async () => {
    await api.call("DELETE", `/user/api-keys/${key.id}`);
    if (created?.id === key.id) setCreated(null);
    await load();
  });
  const copy = async () => {
    await navigator.clipboard?.writeText(created.key).catch(() => {});
    setCopied(true);
  };

  return html`<section><h3>${t("apiKeys")}</h3>
    <form class="row" onSubmit=${create}>
      <input name="name" aria-label=${t("keyName")} placeholder=${t("keyName")} required maxlength="100" class="grow" />
      <button type="submit">${t("createKey")}</button>
    </form>
    ${created && html`<div class="secret" role="status"><p>${t("keyOnce")}</p>
      <code class="key">${created.key}</code>
      <button type="button" onClick=${copy}>${copied ? t("copied") : t("copy")}</button></div>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!keys.length && html`<p class="muted">${t("noApiKeys")}</p>`}
    <ul class="list">${keys.map((key) => html`<li class="row" key=${key.id}>
      <span class="grow"><strong>${key.name}</strong> <code>${key.prefix}…</code>
        <span class="muted"> · ${key.expires_at ? t("expires", { date: t.date(key.expires_at) }) : ""}
        ${t("lastUsed", { date: key.last_used_at ? t.date(key.last_used_at) : t("never") })}</span></span>
      <button type="button" class="danger" aria-label=${t("revokeKey", { name: key.name })}
        onClick=${() => revoke(key)}>${t("revoke")}</button>
    </li>`)}</ul>
  </section>`;
}
