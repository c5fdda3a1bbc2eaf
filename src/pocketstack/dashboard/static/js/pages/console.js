// The interactive console: a root shell in the instance, in xterm.js, over the compute
// API's websocket (remote-consoles → ws://…/compute/console?token=…).

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { FitAddon } from "../../vendor/addon-fit.mjs";
import { Terminal } from "../../vendor/xterm.mjs";
import { button, buttonRow, h } from "../ui.js";

function loadStylesheet() {
  if (document.getElementById("xterm-css")) return;
  document.head.append(h("link", { id: "xterm-css", rel: "stylesheet",
    href: "static/vendor/xterm.css" }));
}

// The URL the API gave, on the host and scheme this page was loaded from.
function socketUrl(url) {
  const given = new URL(url);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${given.pathname}${given.search}`;
}

async function consoleUrl(id) {
  const body = await api.post("compute", `/servers/${id}/remote-consoles`,
    { remote_console: { protocol: "serial", type: "serial" } });
  return socketUrl(body.remote_console.url);
}

export default async function consolePage(main, ctx) {
  const [id] = ctx.params;
  const server = await cloud.server(id);
  loadStylesheet();
  const status = h("p", { class: "console-status", role: "status" }, "Connecting…");
  const screen = h("div", { class: "console-screen", "aria-label": `Console of ${server.name}` });
  const reconnect = button("Reconnect", () => connect(), { disabled: true });
  main.append(
    h("header", { class: "page-header" },
      h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/instances" }, "Instances"),
        " / ", h("a", { href: `#/instances/${id}` }, server.name), " /"),
      h("h1", { tabindex: "-1" }, `Console of ${server.name}`),
      h("p", { class: "intro" }, "A root shell inside the instance. Click in the terminal " +
        "to type. Leave with the links above, or type ", h("code", {}, "exit"),
        " to end the shell.")),
      buttonRow(reconnect)),
    h("div", { class: "card terminal-card" }, status, screen));

  const terminal = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false,
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
    theme: { background: "#0f172a", foreground: "#e2e8f0" } });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(screen);
  fit.fit();
  const encoder = new TextEncoder();
  let socket = null;

  function sendSize() {
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ resize: { rows: terminal.rows, cols: terminal.cols } }));
    }
  }

  async function connect() {
    reconnect.disabled = true;
    status.textContent = "Connecting…";
    let url;
    try {
      url = await consoleUrl(id);
    } catch (error) {
      status.textContent = `No console: ${error.message}`;
      reconnect.disabled = false;
      return;
    }
    socket = new WebSocket(url, ["binary"]);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      status.textContent = `Connected to ${server.name}.`;
      main.dataset.console = "open";
      sendSize();
      terminal.focus();
    };
    socket.onmessage = (event) => {
      terminal.write(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
    };
    socket.onclose = (event) => {
      main.dataset.console = "closed";
      status.textContent = event.code === 1000 ? "The shell ended."
        : `Disconnected${event.reason ? `: ${event.reason}` : ""}.`;
      reconnect.disabled = false;
    };
  }

  terminal.onData((data) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
  });
  terminal.onResize(sendSize);
  const onResize = () => fit.fit();
  window.addEventListener("resize", onResize);
  ctx.signal.addEventListener("abort", () => {
    window.removeEventListener("resize", onResize);
    socket?.close();
    terminal.dispose();
  });
  await connect();
}
