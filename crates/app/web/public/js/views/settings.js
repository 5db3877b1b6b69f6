// Settings: profile (display name, default model), language, the OpenRouter key (only
// its hint is ever shown), password, personal API keys and usage.
import { html, useState } from "../html.js";
import { LANGUAGES, saveLanguage, savedLanguage, pickLanguage } from "../i18n.js";
import { Dialog } from "./dialog.js";
import { describe } from "./errors.js";
import { ApiKeys } from "./apikeys.js";
import { Usage } from "./usage.js";

function useStatus(t) {
  const [status, setStatus] = useState(null);
  const run = (work) => async (event) => {
    event?.preventDefault();
    try {
      await work(event);
      setStatus({ ok: true, text: t("saved") });
    } catch (e) {
      setStatus({ ok: false, text: describe(e, t) });
    }
  };
  const view = status && html`<p class=${status.ok ? "ok" : "error"} role=${status.ok ? "status" : "alert"}>${status.text}</p>`;
  return [run, view];
}

function Profile({ api, t, profile, setProfile, models, setLanguage }) {
  const [run, status] = useStatus(t);
  const [language, setChoice] = useState(savedLanguage());
  const save = run(async (event) => {
    const form = new FormData(event.target);
    setProfile(await api.call("PUT", "/user/profile", {
      display_name: form.get("display_name") || null,
      default_model: form.get("default_model") || null,
    }));
  });
  const choose = (event) => {
    setChoice(event.target.value);
    saveLanguage(event.target.value);
    setLanguage(pickLanguage(event.target.value));
  };
  return html`<section><h3>${t("profile")}</h3>
    <form onSubmit=${save}>
      <label>${t("displayName")}<input name="display_name" value=${profile.display_name || ""} /></label>
      <label>${t("defaultModelField")}<select aria-label=${t("defaultModelField")} name="default_model" value=${profile.default_model || ""}>
        <option value="">${t("defaultModel")}</option>
        ${models.map((m) => html`<option value=${m.id}>${m.name || m.id}</option>`)}
      </select></label>
      <button type="submit">${t("save")}</button>${status}
    </form>
    <label>${t("language")}<select aria-label=${t("language")} value=${language} onChange=${choose}>
      <option value="">${t("automatic")}</option>
      ${Object.entries(LANGUAGES).map(([tag, name]) => html`<option value=${tag} lang=${tag}>${name}</option>`)}
    </select></label>
  </section>`;
}

function OpenRouterKey({ api, t, profile, setProfile }) {
  const [run, status] = useStatus(t);
  const put = (key) => api.call("PUT", "/user/profile", { openrouter_api_key: key }).then(setProfile);
  const save = run(async (event) => {
    const form = event.target;
    await put(new FormData(form).get("key").trim());
    form.reset();
  });
  return html`<section><h3>${t("openrouterKey")}</h3>
    <p>${profile.has_openrouter_key ? t("keySet", { hint: profile.openrouter_key_hint }) : t("noKey")}</p>
    <form class="row" onSubmit=${save}>
      <input name="key" type="password" autocomplete="off" aria-label=${t("newKey")}
        placeholder="sk-or-…" required class="grow" />
      <button type="submit">${t("setKey")}</button>
      ${profile.has_openrouter_key && html`<button type="button" class="danger"
        onClick=${run(() => put(null))}>${t("removeKey")}</button>`}
    </form>${status}
  </section>`;
}

function Password({ api, t, setProfile }) {
  const [run, status] = useStatus(t);
  const save = run(async (event) => {
    const form = new FormData(event.target);
    setProfile(await api.call("PUT", "/user/profile", {
      current_password: form.get("current"), new_password: form.get("new"),
    }));
    event.target.reset();
  });
  return html`<section><h3>${t("changePassword")}</h3>
    <form onSubmit=${save}>
      <label>${t("currentPassword")}<input name="current" type="password" autocomplete="current-password" required /></label>
      <label>${t("newPassword")}<input name="new" type="password" autocomplete="new-password" minlength="8" required /></label>
      <button type="submit">${t("changePassword")}</button>${status}
    </form>
  </section>`;
}

export function SettingsPanel(props) {
  return html`<${Dialog} t=${props.t} title=${props.t("settings")} onClose=${props.onClose} wide>
    <${Profile} ...${props} />
    <${OpenRouterKey} ...${props} />
    <${Password} ...${props} />
    <${ApiKeys} ...${props} />
    <${Usage} api=${props.api} t=${props.t} path="/user/usage" groups=${["model", "day"]} />
  <//>`;
}
