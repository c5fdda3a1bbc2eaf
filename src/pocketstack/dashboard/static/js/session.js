// Who is logged in: the project-scoped token (sessionStorage, so it dies with the tab),
// its user and project, and the timer that logs out when the token expires.

const KEY = "pocketstack.session";
const listeners = new Set();
let expiryTimer = null;

function identityCall(method, path, { body, token, subject } = {}) {
  const headers = { Accept: "application/json" };
  if (body) headers["Content-Type"] = "application/json";
  if (token) headers["X-Auth-Token"] = token;
  if (subject) headers["X-Subject-Token"] = subject;
  return fetch("/identity/v3" + path, { method, headers, body: body && JSON.stringify(body) });
}

async function failure(response, fallback) {
  let message = fallback;
  try {
    message = (await response.json()).error.message || fallback;
  } catch { /* not JSON */ }
  return new Error(message);
}

async function issue(identity, scope) {
  const auth = scope ? { identity, scope } : { identity };
  const response = await identityCall("POST", "/auth/tokens?nocatalog", { body: { auth } });
  if (response.status === 401 && identity.methods[0] === "password") {
    throw new Error("Login failed: the domain, user name or password is not right.");
  }
  if (!response.ok) throw await failure(response, `Login failed (${response.status}).`);
  const { token } = await response.json();
  return { value: response.headers.get("X-Subject-Token"), token };
}

async function projectsOf(token) {
  const response = await identityCall("GET", "/auth/projects", { token });
  if (!response.ok) throw await failure(response, "Could not list your projects.");
  return (await response.json()).projects;
}

export const session = {
  token: null,
  user: null,
  project: null,
  roles: [],
  expiresAt: null,
  projects: [],

  get loggedIn() {
    return Boolean(this.token);
  },

  get canWrite() {
    return this.roles.includes("admin") || this.roles.includes("member");
  },

  restore() {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (saved && new Date(saved.expiresAt) > new Date()) this.adopt(saved);
    else sessionStorage.removeItem(KEY);
  },

  adopt(state) {
    Object.assign(this, state);
    sessionStorage.setItem(KEY, JSON.stringify(state));
    clearTimeout(expiryTimer);
    const left = new Date(state.expiresAt) - new Date();
    expiryTimer = setTimeout(() => this.expired(), Math.min(left, 2 ** 31 - 1));
    this.changed("login");
  },

  // Password login: an unscoped token, the user's projects, then a token for one of them
  // (the last used one when it is still there).
  async login(domain, user, password) {
    const identity = { methods: ["password"], password: {
      user: { name: user, password, domain: { name: domain } } } };
    const unscoped = await issue(identity);
    const projects = await projectsOf(unscoped.value);
    if (!projects.length) {
      throw new Error(`User ${user} has no role in any project: ask an administrator to add one.`);
    }
    const last = localStorage.getItem("pocketstack.project");
    const chosen = projects.find((p) => p.id === last) || projects[0];
    await this.scopeTo(unscoped.value, chosen.id, projects);
    identityCall("DELETE", "/auth/tokens", { token: this.token, subject: unscoped.value });
  },

  async scopeTo(token, projectId, projects = this.projects) {
    const identity = { methods: ["token"], token: { id: token } };
    const scoped = await issue(identity, { project: { id: projectId } });
    localStorage.setItem("pocketstack.project", projectId);
    this.adopt({
      token: scoped.value,
      user: { id: scoped.token.user.id, name: scoped.token.user.name,
              domain: scoped.token.user.domain.name },
      project: { id: scoped.token.project.id, name: scoped.token.project.name },
      roles: (scoped.token.roles || []).map((role) => role.name),
      expiresAt: scoped.token.expires_at,
      projects: projects.map((p) => ({ id: p.id, name: p.name })),
    });
  },

  async switchProject(projectId) {
    const old = this.token;
    await this.scopeTo(old, projectId);
    identityCall("DELETE", "/auth/tokens", { token: this.token, subject: old });
  },

  async logout() {
    const token = this.token;
    this.clear("logout");
    if (token) await identityCall("DELETE", "/auth/tokens", { token, subject: token });
  },

  expired() {
    if (this.token) this.clear("expired");
  },

  clear(reason) {
    clearTimeout(expiryTimer);
    sessionStorage.removeItem(KEY);
    Object.assign(this, { token: null, user: null, project: null, roles: [], projects: [] });
    this.changed(reason);
  },

  onChange(listener) {
    listeners.add(listener);
  },

  changed(reason) {
    for (const listener of listeners) listener(reason);
  },
};
