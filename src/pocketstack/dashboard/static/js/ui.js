// Small DOM helpers: elements, tables, dialogs, status badges, announcements.

// h("button", {class: "primary", onclick}, "Save") → <button class="primary">Save</button>
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "class") element.className = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key in element && typeof value !== "string") element[key] = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function announce(message) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" },
    message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

const TRANSITIONAL = /^(BUILD|BUILDING|REBOOT|HARD_REBOOT|PENDING_.*|DELETING|SAVING|QUEUED|IMPORTING|UPLOADING|MIGRATING|RESIZE|SHUTOFF_PENDING)$/i;

export function isBusy(status, taskState) {
  return Boolean(taskState) || TRANSITIONAL.test(status || "");
}

export function statusBadge(status, taskState) {
  const text = status || "UNKNOWN";
  const upper = text.toUpperCase();
  const kind = isBusy(text, taskState) ? "busy"
    : /^(ACTIVE|UP|AVAILABLE|ONLINE)$/.test(upper) ? "ok"
    : /^(ERROR|KILLED|DOWN|DEGRADED)$/.test(upper) ? "bad" : "idle";
  const label = taskState ? `${text} (${taskState.replaceAll("_", " ")})` : text;
  return h("span", { class: `badge ${kind}`, dataset: { status: upper } }, label);
}

// A table with a caption; columns: [{label, cell(row) → Node|string, class}].
// Rows carry data-key so live refreshes can replace only the rows that changed.
export function table({ caption, columns, rows, key = (row) => row.id, empty }) {
  if (!rows.length) return h("div", { class: "empty" }, empty || "Nothing here yet.");
  const head = h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label)));
  const body = h("tbody", {}, rows.map((row) => tableRow(columns, row, key)));
  return h("div", { class: "table-wrap" },
    h("table", {}, caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, head), body));
}

function tableRow(columns, row, key) {
  return h("tr", { dataset: { key: key(row), signature: JSON.stringify(row) } },
    columns.map((c, i) => h(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null,
      class: c.class, "data-label": c.label }, c.cell(row))));
}

// Replace `old` by `fresh`, keeping unchanged rows (and the keyboard focus inside them).
export function patchTable(old, fresh) {
  const oldBody = old.querySelector("tbody");
  const freshBody = fresh.querySelector("tbody");
  if (!oldBody || !freshBody) return old.replaceWith(fresh);
  const kept = new Map([...oldBody.rows].map((tr) => [tr.dataset.key, tr]));
  const rows = [...freshBody.rows].map((tr) => {
    const previous = kept.get(tr.dataset.key);
    return previous && previous.dataset.signature === tr.dataset.signature ? previous : tr;
  });
  oldBody.replaceChildren(...rows);
}

export function buttonRow(...buttons) {
  return h("div", { class: "actions" }, buttons);
}

export function button(label, onclick, { kind = "", disabled = false, title, label: aria } = {}) {
  return h("button", { type: "button", class: kind, onclick, disabled, title,
    "aria-label": aria }, label);
}

export function field(label, control, help) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const helpId = help ? `${id}-help` : null;
  if (helpId) control.setAttribute("aria-describedby", helpId);
  return h("div", { class: "field" }, h("label", { for: id }, label), control,
    help ? h("p", { class: "help", id: helpId }, help) : null);
}

// Checkboxes of one name in a fieldset; items: [[value, text]], checked(value) → bool.
export function checkboxes(legend, name, items, checked = () => false, help) {
  return h("fieldset", { class: "checks" }, h("legend", {}, legend),
    help ? h("p", { class: "help" }, help) : null,
    items.length ? items.map(([value, text]) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value, checked: checked(value) }), text))
      : h("p", { class: "muted" }, "None available."));
}

export function select(name, options, { value, required } = {}) {
  return h("select", { name, required },
    options.map(([optionValue, text]) =>
      h("option", { value: optionValue, selected: optionValue === value }, text)));
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit && value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso.endsWith("Z") || iso.includes("+") ? iso : `${iso}Z`);
  return h("time", { datetime: date.toISOString(), title: date.toLocaleString() },
    relative(date));
}

function relative(date) {
  const seconds = Math.round((Date.now() - date) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return date.toLocaleDateString();
}

export function download(filename, text, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function pageHeader(title, intro, ...actions) {
  return h("header", { class: "page-header" },
    h("div", {}, h("h1", { tabindex: "-1" }, title), intro ? h("p", { class: "intro" }, intro) : null),
    actions.length ? buttonRow(...actions) : null);
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), children);
}

export const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
