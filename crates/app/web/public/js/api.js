// The polychat API from the browser. The access token lives in this object only; the
// refresh token is an HttpOnly cookie the browser sends to /token/refresh alone. A 401
// triggers one silent refresh and a retry; when that fails the session is over.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

async function errorOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  const error = body.error || {};
  return new ApiError(response.status, error.code || `http_${response.status}`, error.message,
    response.headers.get("Retry-After"));
}

// Set while a refresh cookie may exist, so a first visit does not ask for a session
// it cannot have (and logs no 401).
const SESSION_FLAG = "polychat.session";

export class Api {
  constructor(onExpired) {
    this.token = null;
    this.onExpired = onExpired;
    this.refreshing = null;
  }

  async login(username, password) {
    const response = await fetch("/login?cookie=true", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw await errorOf(response);
    this.token = (await response.json()).access_token;
    localStorage.setItem(SESSION_FLAG, "1");
  }

  register(fields) {
    return this.call("POST", "/register", fields, { anonymous: true });
  }

  /** Whether a refresh cookie may be there (set by a login in this browser). */
  mayHaveSession() {
    return Boolean(localStorage.getItem(SESSION_FLAG));
  }

  /** Trades the cookie for a new access token; false when there is no session. */
  refresh() {
    if (!this.mayHaveSession()) return Promise.resolve(false);
    this.refreshing ||= fetch("/token/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    }).then(async (response) => {
      this.token = response.ok ? (await response.json()).access_token : null;
      if (!response.ok) localStorage.removeItem(SESSION_FLAG);
      return response.ok;
    }).catch(() => false).finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  async logout() {
    if (this.token) await this.call("POST", "/logout").catch(() => {});
    this.token = null;
    localStorage.removeItem(SESSION_FLAG);
  }

  /** Sends a request with the access token; refreshes it once on 401. */
  async send(method, path, body, { anonymous = false, signal, accept } = {}) {
    const attempt = () => {
      const headers = {};
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (accept) headers.Accept = accept;
      if (!anonymous && this.token) headers.Authorization = `Bearer ${this.token}`;
      return fetch(path, {
        method, headers, signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    };
    let response = await attempt();
    if (response.status === 401 && !anonymous) {
      if (!(await this.refresh())) {
        this.onExpired();
        throw await errorOf(response);
      }
      response = await attempt();
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async call(method, path, body, options) {
    const response = await this.send(method, path, body, options);
    return response.status === 204 ? null : response.json();
  }

  /** POST /chat as a stream: calls onEvent(name, data) per server-sent event. */
  async stream(body, onEvent, signal) {
    const response = await this.send("POST", "/chat", { ...body, stream: true },
      { signal, accept: "text/event-stream" });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }
}
