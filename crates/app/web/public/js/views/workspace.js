// The signed-in screen: the top bar (model picker, Memory, Settings, Admin, Log out), the
// chat list and the open conversation; panels open as dialogs over it.
import { html, useEffect, useState } from "../html.js";
import { Conversation } from "./conversation.js";
import { ModelPicker, useModels } from "./models.js";
import { Sidebar, useChats } from "./sidebar.js";
import { Lazy } from "../lazy.js";

export function Workspace({ api, t, profile, setProfile, onLogout, setLanguage }) {
  const chats = useChats(api);
  const models = useModels(api);
  const [chatId, setChatId] = useState(null);
  // "" asks the server for the profile's default model, then its own.
  const [model, setModel] = useState(profile.default_model || "");
  const [panel, setPanel] = useState(null);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  // A new view of the conversation each time one is opened (not when a stream creates it).
  const [view, setView] = useState(0);

  useEffect(() => { chats.load(null); }, []);

  const open = (id) => {
    setChatId(id);
    setView((v) => v + 1);
    setSidebarOpen(false);
    const chat = chats.chats.items.find((c) => c.chat_id === id);
    if (chat?.model) setModel(chat.model);
  };
  const panelProps = { api, t, profile, setProfile, onClose: () => setPanel(null) };

  return html`<div class="workspace">
    <header class="topbar">
      <button type="button" class="icon menu" aria-label=${t("showChats")} aria-controls="sidebar"
        aria-expanded=${sidebarOpen} onClick=${() => setSidebarOpen(!sidebarOpen)}>☰</button>
      <span class="brand">polychat</span>
      <${ModelPicker} t=${t} models=${models} value=${model} onChange=${setModel} />
      <span class="spacer"></span>
      <button type="button" onClick=${() => setPanel("memory")}>${t("memory")}</button>
      <button type="button" onClick=${() => setPanel("settings")}>${t("settings")}</button>
      ${profile.role === "admin" && html`<button type="button" onClick=${() => setPanel("admin")}>${t("admin")}</button>`}
      <button type="button" onClick=${onLogout}>${t("logout")}</button>
    </header>
    <${Sidebar} api=${api} t=${t} state=${chats} currentId=${chatId} open=${sidebarOpen}
      onOpen=${open} onNew=${() => { setChatId(null); setView((v) => v + 1); setSidebarOpen(false); }} />
    <main class="main">
      <${Conversation} key=${view} api=${api} t=${t} chatId=${chatId} model=${model}
        onCreated=${setChatId} onAnswered=${() => chats.load(null)}
        onOpenSettings=${() => setPanel("settings")} />
    </main>
    ${panel === "memory" && html`<${Lazy} path="views/memory.js" name="MemoryPanel" ...${panelProps} />`}
    ${panel === "settings" && html`<${Lazy} path="views/settings.js" name="SettingsPanel" ...${panelProps} models=${models}
      setLanguage=${setLanguage} />`}
    ${panel === "admin" && html`<${Lazy} path="views/admin.js" name="AdminPanel" ...${panelProps} />`}
  </div>`;
}
