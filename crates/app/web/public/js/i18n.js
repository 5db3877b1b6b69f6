// The interface's languages: English, Brazilian Portuguese and Spanish. The choice saved
// in the settings wins; otherwise the browser's languages pick; English when none fits.

const en = {
  username: "Username", password: "Password", login: "Log in", register: "Register",
  displayName: "Display name", openrouterKeyOptional: "OpenRouter key (optional)",
  haveAccount: "I have an account", createAccount: "Create an account",
  welcome: "Chat with any model. polychat remembers what matters.",
  newChat: "New chat", chats: "Chats", loadMore: "Load more", loadEarlier: "Load earlier messages", noChats: "No chats yet",
  rename: "Rename", renameChat: "Rename chat {title}", deleteChat: "Delete chat {title}",
  delete: "Delete", cancel: "Cancel", save: "Save", chatTitle: "Chat title",
  confirmDelete: "Delete “{title}” and all its messages? This cannot be undone.",
  message: "Message", send: "Send", stop: "Stop", model: "Model", searchModels: "Search models",
  customModels: "Custom models", openrouterModels: "OpenRouter", defaultModel: "Server default", defaultModelField: "Default model",
  you: "You", assistant: "Assistant", copy: "Copy", copied: "Copied",
  tokens: "{total} tokens ({prompt} in, {completion} out)",
  remembered: "Remembered", usedMemories: "Used memories", emptyChat: "Ask anything to start.",
  stopped: "Stopped.", incomplete: "The answer was cut off.",
  memory: "Memory", settings: "Settings", admin: "Admin", logout: "Log out", close: "Close",
  showChats: "Show chats",
  memoryEnabled: "Remember and use my preferences", addMemory: "Add a memory",
  memoryText: "Memory text", add: "Add", edit: "Edit", noMemories: "Nothing remembered yet.",
  editMemory: "Edit memory", deleteMemory: "Delete memory {text}",
  profile: "Profile", language: "Language", automatic: "Automatic (browser)",
  openrouterKey: "OpenRouter key", keySet: "A key is set ({hint}).", noKey: "No key set.",
  newKey: "New OpenRouter key", setKey: "Save key", removeKey: "Remove key",
  changePassword: "Change password", currentPassword: "Current password",
  newPassword: "New password", saved: "Saved.",
  apiKeys: "API keys", keyName: "Key name", createKey: "Create key", revoke: "Revoke",
  revokeKey: "Revoke key {name}", keyOnce: "Copy this key now: it is shown only once.",
  never: "never", expires: "expires {date}", lastUsed: "last used {date}", noApiKeys: "No API keys.",
  usage: "Usage", byModel: "By model", byDay: "By day", requests: "requests",
  noUsage: "No usage in the last 30 days.",
  models: "Models", slug: "Slug", name: "Name", description: "Description",
  chatWebhook: "Chat webhook URL", completionsWebhook: "Completions webhook URL",
  fallback: "Fallback model", timeout: "Timeout (seconds)", allowedUsers: "Allowed usernames",
  active: "Active", test: "Test", deactivate: "Deactivate", versions: "Versions",
  createModel: "Create model", editModel: "Edit model {name}", restore: "Restore",
  usageByUser: "Usage by user", usageByModel: "Usage by model", signingSecret: "Signing secret (shown once)",
  testOk: "OK in {ms} ms", inactive: "inactive",
  errKeyMissing: "Add your OpenRouter key in Settings to chat.",
  errCredits: "Your OpenRouter account has no credits left.",
  errRateLimited: "The model is rate limited. Try again in {seconds} s.",
  errUpstreamKey: "OpenRouter rejected your key. Replace it in Settings.",
  errTimeout: "The model took too long to answer.",
  errCredentials: "Wrong username or password.", errTaken: "That username is taken.",
  errTooMany: "Too many attempts. Try again later.", errExpired: "Your session expired. Log in again.",
  errGeneric: "Something went wrong: {message}",
  kind_identity: "identity", kind_style: "style", kind_preference: "preference", kind_fact: "fact", openSettings: "Open settings",
};

const ptBR = {
  username: "Usuário", password: "Senha", login: "Entrar", register: "Cadastrar",
  displayName: "Nome de exibição", openrouterKeyOptional: "Chave da OpenRouter (opcional)",
  haveAccount: "Já tenho conta", createAccount: "Criar uma conta",
  welcome: "Converse com qualquer modelo. O polychat lembra do que importa.",
  newChat: "Nova conversa", chats: "Conversas", loadMore: "Carregar mais", loadEarlier: "Carregar mensagens anteriores", noChats: "Nenhuma conversa ainda",
  rename: "Renomear", renameChat: "Renomear conversa {title}", deleteChat: "Excluir conversa {title}",
  delete: "Excluir", cancel: "Cancelar", save: "Salvar", chatTitle: "Título da conversa",
  confirmDelete: "Excluir “{title}” e todas as mensagens? Não dá para desfazer.",
  message: "Mensagem", send: "Enviar", stop: "Parar", model: "Modelo", searchModels: "Buscar modelos",
  customModels: "Modelos próprios", openrouterModels: "OpenRouter", defaultModel: "Padrão do servidor", defaultModelField: "Modelo padrão",
  you: "Você", assistant: "Assistente", copy: "Copiar", copied: "Copiado",
  tokens: "{total} tokens ({prompt} de entrada, {completion} de saída)",
  remembered: "Memorizado", usedMemories: "Memórias usadas", emptyChat: "Pergunte qualquer coisa para começar.",
  stopped: "Interrompido.", incomplete: "A resposta foi cortada.",
  memory: "Memória", settings: "Configurações", admin: "Administração", logout: "Sair", close: "Fechar",
  showChats: "Mostrar conversas",
  memoryEnabled: "Lembrar e usar minhas preferências", addMemory: "Adicionar memória",
  memoryText: "Texto da memória", add: "Adicionar", edit: "Editar", noMemories: "Nada memorizado ainda.",
  editMemory: "Editar memória", deleteMemory: "Excluir memória {text}",
  profile: "Perfil", language: "Idioma", automatic: "Automático (navegador)",
  openrouterKey: "Chave da OpenRouter", keySet: "Há uma chave ({hint}).", noKey: "Nenhuma chave.",
  newKey: "Nova chave da OpenRouter", setKey: "Salvar chave", removeKey: "Remover chave",
  changePassword: "Trocar senha", currentPassword: "Senha atual",
  newPassword: "Nova senha", saved: "Salvo.",
  apiKeys: "Chaves de API", keyName: "Nome da chave", createKey: "Criar chave", revoke: "Revogar",
  revokeKey: "Revogar chave {name}", keyOnce: "Copie esta chave agora: ela só aparece uma vez.",
  never: "nunca", expires: "expira em {date}", lastUsed: "último uso {date}", noApiKeys: "Nenhuma chave de API.",
  usage: "Uso", byModel: "Por modelo", byDay: "Por dia", requests: "requisições",
  noUsage: "Nenhum uso nos últimos 30 dias.",
  models: "Modelos", slug: "Slug", name: "Nome", description: "Descrição",
  chatWebhook: "URL do webhook de chat", completionsWebhook: "URL do webhook de completions",
  fallback: "Modelo reserva", timeout: "Tempo limite (segundos)", allowedUsers: "Usuários permitidos",
  active: "Ativo", test: "Testar", deactivate: "Desativar", versions: "Versões",
  createModel: "Criar modelo", editModel: "Editar modelo {name}", restore: "Restaurar",
  usageByUser: "Uso por usuário", usageByModel: "Uso por modelo", signingSecret: "Segredo de assinatura (só agora)",
  testOk: "OK em {ms} ms", inactive: "inativo",
  errKeyMissing: "Adicione sua chave da OpenRouter nas Configurações para conversar.",
  errCredits: "Sua conta da OpenRouter está sem créditos.",
  errRateLimited: "O modelo está limitando pedidos. Tente de novo em {seconds} s.",
  errUpstreamKey: "A OpenRouter recusou sua chave. Troque-a nas Configurações.",
  errTimeout: "O modelo demorou demais para responder.",
  errCredentials: "Usuário ou senha incorretos.", errTaken: "Esse nome de usuário já existe.",
  errTooMany: "Tentativas demais. Tente mais tarde.", errExpired: "Sua sessão expirou. Entre de novo.",
  errGeneric: "Algo deu errado: {message}",
  kind_identity: "identidade", kind_style: "estilo", kind_preference: "preferência", kind_fact: "fato", openSettings: "Abrir configurações",
};

const es = {
  username: "Usuario", password: "Contraseña", login: "Iniciar sesión", register: "Registrarse",
  displayName: "Nombre visible", openrouterKeyOptional: "Clave de OpenRouter (opcional)",
  haveAccount: "Ya tengo cuenta", createAccount: "Crear una cuenta",
  welcome: "Chatea con cualquier modelo. polychat recuerda lo importante.",
  newChat: "Nuevo chat", chats: "Chats", loadMore: "Cargar más", loadEarlier: "Cargar mensajes anteriores", noChats: "Aún no hay chats",
  rename: "Renombrar", renameChat: "Renombrar chat {title}", deleteChat: "Eliminar chat {title}",
  delete: "Eliminar", cancel: "Cancelar", save: "Guardar", chatTitle: "Título del chat",
  confirmDelete: "¿Eliminar «{title}» y todos sus mensajes? No se puede deshacer.",
  message: "Mensaje", send: "Enviar", stop: "Detener", model: "Modelo", searchModels: "Buscar modelos",
  customModels: "Modelos propios", openrouterModels: "OpenRouter", defaultModel: "Predeterminado del servidor", defaultModelField: "Modelo predeterminado",
  you: "Tú", assistant: "Asistente", copy: "Copiar", copied: "Copiado",
  tokens: "{total} tokens ({prompt} de entrada, {completion} de salida)",
  remembered: "Recordado", usedMemories: "Recuerdos usados", emptyChat: "Pregunta lo que quieras para empezar.",
  stopped: "Detenido.", incomplete: "La respuesta se cortó.",
  memory: "Memoria", settings: "Ajustes", admin: "Administración", logout: "Cerrar sesión", close: "Cerrar",
  showChats: "Mostrar chats",
  memoryEnabled: "Recordar y usar mis preferencias", addMemory: "Añadir recuerdo",
  memoryText: "Texto del recuerdo", add: "Añadir", edit: "Editar", noMemories: "Aún no hay recuerdos.",
  editMemory: "Editar recuerdo", deleteMemory: "Eliminar recuerdo {text}",
  profile: "Perfil", language: "Idioma", automatic: "Automático (navegador)",
  openrouterKey: "Clave de OpenRouter", keySet: "Hay una clave ({hint}).", noKey: "No hay clave.",
  newKey: "Nueva clave de OpenRouter", setKey: "Guardar clave", removeKey: "Quitar clave",
  changePassword: "Cambiar contraseña", currentPassword: "Contraseña actual",
  newPassword: "Nueva contraseña", saved: "Guardado.",
  apiKeys: "Claves de API", keyName: "Nombre de la clave", createKey: "Crear clave", revoke: "Revocar",
  revokeKey: "Revocar clave {name}", keyOnce: "Copia esta clave ahora: solo se muestra una vez.",
  never: "nunca", expires: "caduca el {date}", lastUsed: "último uso {date}", noApiKeys: "No hay claves de API.",
  usage: "Uso", byModel: "Por modelo", byDay: "Por día", requests: "solicitudes",
  noUsage: "Sin uso en los últimos 30 días.",
  models: "Modelos", slug: "Slug", name: "Nombre", description: "Descripción",
  chatWebhook: "URL del webhook de chat", completionsWebhook: "URL del webhook de completions",
  fallback: "Modelo de respaldo", timeout: "Tiempo límite (segundos)", allowedUsers: "Usuarios permitidos",
  active: "Activo", test: "Probar", deactivate: "Desactivar", versions: "Versiones",
  createModel: "Crear modelo", editModel: "Editar modelo {name}", restore: "Restaurar",
  usageByUser: "Uso por usuario", usageByModel: "Uso por modelo", signingSecret: "Secreto de firma (solo ahora)",
  testOk: "OK en {ms} ms", inactive: "inactivo",
  errKeyMissing: "Añade tu clave de OpenRouter en Ajustes para chatear.",
  errCredits: "Tu cuenta de OpenRouter no tiene créditos.",
  errRateLimited: "El modelo está limitando solicitudes. Reintenta en {seconds} s.",
  errUpstreamKey: "OpenRouter rechazó tu clave. Cámbiala en Ajustes.",
  errTimeout: "El modelo tardó demasiado en responder.",
  errCredentials: "Usuario o contraseña incorrectos.", errTaken: "Ese nombre de usuario ya existe.",
  errTooMany: "Demasiados intentos. Inténtalo más tarde.", errExpired: "Tu sesión caducó. Inicia sesión de nuevo.",
  errGeneric: "Algo salió mal: {message}",
  kind_identity: "identidad", kind_style: "estilo", kind_preference: "preferencia", kind_fact: "dato", openSettings: "Abrir ajustes",
};

export const LANGUAGES = { en: "English", "pt-BR": "Português (Brasil)", es: "Español" };
const TABLES = { en, "pt-BR": ptBR, es };
const STORAGE_KEY = "polychat.language";

/** The saved choice, or "" for automatic. */
export function savedLanguage() {
  return localStorage.getItem(STORAGE_KEY) || "";
}

export function saveLanguage(language) {
  if (language) localStorage.setItem(STORAGE_KEY, language);
  else localStorage.removeItem(STORAGE_KEY);
}

/** The language to speak: the saved one, else the first browser language we have. */
export function pickLanguage(saved = savedLanguage(), wanted = navigator.languages || []) {
  if (TABLES[saved]) return saved;
  for (const tag of wanted) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "pt") return "pt-BR";
    if (base === "es") return "es";
    if (base === "en") return "en";
  }
  return "en";
}

/** A translator for `language`, with its date and number formats. */
export function translator(language) {
  const table = TABLES[language] || en;
  const t = (key, vars = {}) =>
    (table[key] || en[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  const numbers = new Intl.NumberFormat(language);
  const dates = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
  t.language = language;
  t.number = (n) => numbers.format(n);
  t.date = (iso) => dates.format(new Date(iso));
  t.day = (iso) => new Intl.DateTimeFormat(language, { day: "numeric", month: "short" })
    .format(new Date(`${iso}T00:00:00`));
  return t;
}
