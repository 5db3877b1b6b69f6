// The first screen: log in, or register (the OpenRouter key is optional) and log in.
import { html, useState } from "../html.js";
import { describe } from "./errors.js";

export function Login({ api, t, notice, onLoggedIn }) {
  const [registering, setRegistering] = useState(false);
  const [error, setError] = useState(notice ? t(notice) : "");
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const username = form.get("username").trim();
    const password = form.get("password");
    setBusy(true);
    setError("");
    try {
      if (registering) {
        const fields = { username, password };
        if (form.get("display_name")) fields.display_name = form.get("display_name");
        if (form.get("openrouter_api_key")) fields.openrouter_api_key = form.get("openrouter_api_key").trim();
        await api.register(fields);
      }
      await api.login(username, password);
      onLoggedIn(await api.call("GET", "/user/profile"));
    } catch (caught) {
      setError(describe(caught, t));
      setBusy(false);
    }
  };

  return html`<main class="login">
    <form class="card" onSubmit=${submit}>
      <h1>polychat</h1>
      <p class="muted">${t("welcome")}</p>
      <label>${t("username")}<input name="username" autocomplete="username" required
        minlength="3" maxlength="32" autofocus /></label>
      <label>${t("password")}<input name="password" type="password" required minlength="8"
        autocomplete=${registering ? "new-password" : "current-password"} /></label>
      ${registering && html`
        <label>${t("displayName")}<input name="display_name" autocomplete="name" /></label>
        <label>${t("openrouterKeyOptional")}<input name="openrouter_api_key" type="password"
          autocomplete="off" /></label>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy}>
        ${registering ? t("register") : t("login")}</button>
      <button type="button" class="link" onClick=${() => { setRegistering(!registering); setError(""); }}>
        ${registering ? t("haveAccount") : t("createAccount")}</button>
    </form>
  </main>`;
}
