// The shell: login screen, top bar with the project switcher, navigation, hash router.

import { session } from "./session.js";
import { announce, clear, h, toast } from "./ui.js";

const PAGES = [
  { path: "overview", label: "Overview", module: "overview" },
  { path: "instances", label: "Instances", module: "instances" },
  { path: "images", label: "Images", module: "images" },
  { path: "keypairs", label: "Key pairs", module: "keypairs" },
  { path: "networks", label: "Networks", module: "networks" },
  { path: "routers", label: "Routers", module: "routers" },
  { path: "security-groups", label: "Security groups", module: "security_groups" },
  { path: "floating-ips", label: "Floating IPs", module: "floating_ips" },
  { path: "load-balancers", label: "Load balancers", module: "load_balancers" },
  { path: "autoscaling", label: "Autoscaling", module: "autoscaling" },
  { path: "api-access", label: "API access", module: "api_access" },
];
// Detail pages: #/instances/<id>, #/instances/<id>/console, #/security-groups/<id>.
const DETAILS = [
  { pattern: /^instances\/([^/]+)\/console$/, module: "console", nav: "instances" },
  { pattern: /^instances\/([^/]+)$/, module: "instance", nav: "instances" },
  { pattern: /^security-groups\/([^/]+)$/, module: "security_group", nav: "security-groups" },
];

const root = document.getElementById("app");
let current = null; // { controller } of the page on screen

function route() {
  const path = location.hash.replace(/^#\/?/, "");
  const page = PAGES.find((p) => p.path === path);
  if (page) return { module: page.module, nav: page.path, params: [] };
  for (const detail of DETAILS) {
    const match = path.match(detail.pattern);
    if (match) return { module: detail.module, nav: detail.nav, params: match.slice(1) };
  }
  return null;
}

function schedule(controller) {
  // every(ms, fn): run fn after ms, again and again while the page is on screen; fn may
  // return a number of ms for its next run (faster while something is transitional).
  // Returns {kick}: run fn now (after a change the user made), then carry on.
  return (ms, fn) => {
    let timer = null;
    const tick = async () => {
      clearTimeout(timer);
      if (controller.signal.aborted) return;
      let next = ms;
      if (document.visibilityState === "visible") {
        try {
          next = (await fn()) || ms;
        } catch (error) {
          if (error.status !== 401) console.warn("refresh failed", error);
        }
      }
      clearTimeout(timer);
      if (!controller.signal.aborted) timer = setTimeout(tick, next);
    };
    timer = setTimeout(tick, ms);
    controller.signal.addEventListener("abort", () => clearTimeout(timer));
    return { kick: tick };
  };
}

async function showPage() {
  if (!session.loggedIn) return renderLogin();
  const target = route();
  if (!target) {
    location.replace("#/overview");
    return;
  }
  if (!document.getElementById("main")) renderShell();
  current?.controller.abort();
  const controller = new AbortController();
  current = { controller };
  markNav(target.nav);
  closeMenu();
  const main = document.getElementById("main");
  main.setAttribute("aria-busy", "true");
  try {
    const module = await import(`./pages/${target.module}.js`);
    if (controller.signal.aborted) return;
    // Each page draws into a holder of its own: when the user moves on while a page is
    // still loading, its late writes land in the detached holder, never in the next page.
    const page = h("div", { class: "page" });
    clear(main, page);
    await module.default(page, {
      params: target.params, signal: controller.signal, every: schedule(controller),
      go: (hash) => { location.hash = hash; },
    });
  } catch (error) {
    if (!controller.signal.aborted) {
      clear(main, h("div", { class: "card error-page", role: "alert" },
        h("h1", {}, "This page could not be shown"), h("p", {}, error.message),
        h("p", {}, h("a", { href: "#/overview" }, "Back to the overview"))));
    }
  } finally {
    if (!controller.signal.aborted) main.removeAttribute("aria-busy");
  }
  if (controller.signal.aborted) return;  // a newer page owns the title and the focus
  const title = main.querySelector("h1");
  document.title = `${title ? title.textContent : "pocketstack"} · pocketstack`;
  if (document.activeElement === document.body || main.contains(document.activeElement)) {
    title?.focus({ preventScroll: true });
  }
}

function markNav(active) {
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.path === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function closeMenu() {
  const toggle = document.getElementById("menu-toggle");
  if (toggle) {
    toggle.setAttribute("aria-expanded", "false");
    document.getElementById("nav").classList.remove("open");
  }
}

function projectSwitcher() {
  const picker = h("select", { id: "project-switcher", onchange: async (event) => {
    try {
      await session.switchProject(event.target.value);
      toast(`Now working in project ${session.project.name}.`, "ok");
    } catch (error) {
      toast(`Could not switch project: ${error.message}`, "error");
      event.target.value = session.project.id;
    }
  } }, session.projects.map((p) => h("option", { value: p.id, selected: p.id === session.project.id }, p.name)));
  return h("div", { class: "project" }, h("label", { for: "project-switcher" }, "Project"), picker);
}

function renderShell() {
  const toggle = h("button", { id: "menu-toggle", class: "menu-toggle", type: "button",
    "aria-expanded": "false", "aria-controls": "nav", onclick: () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      document.getElementById("nav").classList.toggle("open", open);
    } }, "Menu");
  const nav = h("nav", { id: "nav", "aria-label": "Main" }, h("ul", {}, PAGES.map((p) =>
    h("li", {}, h("a", { href: `#/${p.path}`, dataset: { path: p.path } }, p.label)))));
  const topbar = h("header", { class: "topbar" },
    h("a", { class: "brand", href: "#/overview" }, h("span", { class: "logo", "aria-hidden": "true" }), "pocketstack"),
    toggle,
    h("div", { class: "who" }, projectSwitcher(),
      h("span", { class: "user", title: `domain ${session.user.domain}` }, session.user.name),
      h("button", { type: "button", id: "logout", onclick: () => session.logout() }, "Log out")));
  clear(root, topbar, h("div", { class: "body" }, nav,
    h("main", { id: "main", tabindex: "-1" })));
}

function renderLogin(reason) {
  current?.controller.abort();
  current = null;
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1",
    hidden: !reason }, reason || "");
  const submit = h("button", { type: "submit", class: "primary" }, "Log in");
  const form = h("form", { class: "login card", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, h("span", { class: "logo", "aria-hidden": "true" }), "pocketstack"),
    h("p", { class: "intro" }, "Log in with your cloud account."),
    error,
    h("div", { class: "field" }, h("label", { for: "login-domain" }, "Domain"),
      h("input", { id: "login-domain", name: "domain", value: "Default", required: true,
        autocomplete: "off" })),
    h("div", { class: "field" }, h("label", { for: "login-user" }, "User name"),
      h("input", { id: "login-user", name: "user", required: true, autocomplete: "username" })),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"),
      h("input", { id: "login-password", name: "password", type: "password", required: true,
        autocomplete: "current-password" })),
    submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    submit.textContent = "Logging in…";
    error.hidden = true;
    try {
      await session.login(form.domain.value.trim(), form.user.value.trim(), form.password.value);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      error.focus();
      submit.disabled = false;
      submit.textContent = "Log in";
    }
  });
  clear(root, h("main", { id: "main", class: "login-page" }, form));
  document.title = "Log in · pocketstack";
  form.user.focus();
}

const REASONS = {
  expired: "Your session has ended (the token expired or was revoked). Please log in again.",
  logout: null,
};

session.onChange((reason) => {
  if (reason === "login") {
    clear(root);
    if (!route()) location.replace("#/overview");
    showPage();
    announce(`Logged in as ${session.user.name}, project ${session.project.name}.`);
  } else {
    renderLogin(REASONS[reason] || null);
  }
});

window.addEventListener("hashchange", () => {
  if (location.hash.startsWith("#/")) showPage();
});
session.restore();
if (!session.loggedIn) renderLogin();

// "Skip to content" moves focus without touching the router's hash.
document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main")?.focus();
});
