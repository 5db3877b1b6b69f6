// Starts the web app: restores a session from the refresh cookie when there is one, and
// shows the login screen or the chat.
import { html, render, useEffect, useLayoutEffect, useMemo, useState } from "./html.js";
import { Api } from "./api.js";
import { pickLanguage, translator } from "./i18n.js";
import { Login } from "./views/login.js";
import { Lazy } from "./lazy.js";

function App() {
  const [profile, setProfile] = useState(undefined);
  const [notice, setNotice] = useState("");
  const [language, setLanguage] = useState(pickLanguage());
  const t = useMemo(() => translator(language), [language]);
  const api = useMemo(() => new Api(() => {
    setProfile(null);
    setNotice("errExpired");
  }), []);

  // Before the paint, so the page never shows text in one language marked as another.
  useLayoutEffect(() => { document.documentElement.lang = language; }, [language]);
  useEffect(() => {
    // A returning user's chat view loads while the session is restored.
    if (api.mayHaveSession()) import("./views/workspace.js");
    api.refresh().then(async (ok) => setProfile(ok ? await api.call("GET", "/user/profile") : null))
      .catch(() => setProfile(null));
  }, []);

  if (profile === undefined) return html`<p class="booting" role="status">polychat</p>`;
  if (!profile) {
    return html`<${Login} api=${api} t=${t} notice=${notice}
      onLoggedIn=${(p) => { setNotice(""); setProfile(p); }} />`;
  }
  const logout = async () => { await api.logout(); setProfile(null); };
  return html`<${Lazy} path="views/workspace.js" name="Workspace" api=${api} t=${t} profile=${profile} setProfile=${setProfile}
    onLogout=${logout} setLanguage=${setLanguage} />`;
}

render(html`<${App} />`, document.getElementById("app"));
