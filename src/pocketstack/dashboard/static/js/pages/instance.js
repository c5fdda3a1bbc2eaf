// One instance: its details with live status, actions (rename, stop/start, reboot,
// snapshot, delete), how to connect (the exact ssh line once it has a floating IP), its
// console log, and a link to the interactive console.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { connectSection } from "../connect.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { announce, button, buttonRow, clear, field, formatTime, h, section, statusBadge,
  toast } from "../ui.js";

const POWER = { 0: "no state", 1: "running", 3: "paused", 4: "shut down", 6: "crashed",
  7: "suspended" };

function action(id, body) {
  return api.post("compute", `/servers/${id}/action`, body);
}

function details(server, imageName) {
  const row = (term, value) => [h("dt", {}, term), h("dd", {}, value ?? "–")];
  const addresses = cloud.addressesOf(server);
  return h("dl", { class: "details" },
    row("Status", statusBadge(server.status, server["OS-EXT-STS:task_state"])),
    row("Power", POWER[server["OS-EXT-STS:power_state"]] || "–"),
    row("IP addresses", addresses.length ? h("ul", { class: "plain" }, addresses.map((a) =>
      h("li", {}, `${a.addr} `, h("span", { class: "muted" }, `${a.type} on ${a.network}`))))
      : "–"),
    row("Image", imageName || server.image?.id || "–"),
    row("Flavor", cloud.flavorLabel(server.flavor)),
    row("Key pair", server.key_name),
    row("Security groups", (server.security_groups || []).map((g) => g.name).join(", ") || "–"),
    row("Created", formatTime(server.created)),
    row("ID", h("code", {}, server.id)),
    server.fault ? row("Fault", h("span", { class: "fault" }, server.fault.message)) : null);
}

function renameDialog(server, done) {
  formDialog({
    title: `Rename ${server.name}`, submitLabel: "Rename",
    fields: [field("New name", h("input", { name: "name", required: true, value: server.name,
      maxlength: 255 }))],
    onSubmit: async (form) => {
      const { name } = formValues(form);
      await api.put("compute", `/servers/${server.id}`, { server: { name } });
      toast(`Renamed to ${name}.`, "ok");
      done();
    },
  });
}

function snapshotDialog(server, done) {
  formDialog({
    title: `Snapshot ${server.name}`, submitLabel: "Create snapshot",
    intro: "A snapshot saves the instance's files as a new image you can launch from.",
    fields: [field("Snapshot name", h("input", { name: "name", required: true,
      value: `${server.name}-snapshot`, maxlength: 255 }))],
    onSubmit: async (form) => {
      const { name } = formValues(form);
      await action(server.id, { createImage: { name } });
      toast(`Saving snapshot ${name}: it appears under Images.`, "ok");
      done();
    },
  });
}

function actionsFor(server, ctx, refresh) {
  const busy = cloud.isServerBusy(server);
  const run = (label, body, message) => button(label, async () => {
    try {
      await action(server.id, body);
      toast(message, "ok");
      refresh();
    } catch (error) {
      toast(error.message, "error");
    }
  }, { disabled: busy });
  const stopped = server.status === "SHUTOFF";
  return buttonRow(
    server.status === "ACTIVE"
      ? h("a", { class: "button primary", href: `#/instances/${server.id}/console` }, "Console")
      : null,
    button("Rename", () => renameDialog(server, refresh)),
    stopped ? run("Start", { "os-start": null }, `Starting ${server.name}.`)
      : run("Stop", { "os-stop": null }, `Stopping ${server.name}.`),
    run("Reboot", { reboot: { type: "SOFT" } }, `Rebooting ${server.name}.`),
    button("Snapshot", () => snapshotDialog(server, refresh), { disabled: busy }),
    button("Delete", () => confirmAction({
      title: `Delete ${server.name}?`, confirmLabel: "Delete",
      text: "The instance and everything on its disk are removed. This cannot be undone.",
      action: async () => {
        await api.del("compute", `/servers/${server.id}`);
        toast(`Deleting ${server.name}.`, "ok");
        ctx.go("#/instances");
      },
    }), { kind: "danger" }));
}

function consoleLog(id) {
  const output = h("pre", { class: "console-log", tabindex: "0", "aria-label": "Console log" },
    "Loading…");
  const load = async () => {
    try {
      const body = await action(id, { "os-getConsoleOutput": { length: 200 } });
      output.textContent = body.output || "(the console log is empty)";
      output.scrollTop = output.scrollHeight;
    } catch (error) {
      output.textContent = error.message;
    }
  };
  load();
  return section("Console log", h("p", { class: "intro" }, "What the instance printed: " +
    "its boot messages and the output of its user-data."), output,
    buttonRow(button("Refresh log", load)));
}

export default async function instance(main, ctx) {
  const [id] = ctx.params;
  const images = new Map((await cloud.images()).map((i) => [i.id, i.name]));
  const header = h("header", { class: "page-header" });
  const body = h("div", { class: "card" });
  const connect = h("div");
  let last = null;
  const showConnect = async () => {
    connect.replaceChildren(await connectSection(last, () => {
      showConnect();
      live.kick();
    }));
  };

  async function refresh() {
    let server;
    try {
      server = await cloud.server(id);
    } catch (error) {
      if (error.status === 404 && last) {
        toast(`${last.name} is gone.`);
        ctx.go("#/instances");
        return 0;
      }
      throw error;
    }
    if (last && last.status !== server.status) {
      announce(`Instance ${server.name} is now ${server.status}.`);
    }
    const changed = JSON.stringify(server) !== JSON.stringify(last);
    if (changed) {
      const focusedLabel = header.contains(document.activeElement)
        ? document.activeElement.textContent : null;
      clear(header, h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/instances" },
        "Instances"), " /"), h("h1", { tabindex: "-1" }, server.name)),
      actionsFor(server, ctx, () => live.kick()));
      clear(body, details(server, images.get(server.image?.id)));
      last = server;
      await showConnect();
      if (focusedLabel) {
        [...header.querySelectorAll("button, a")].find((b) => b.textContent === focusedLabel)
          ?.focus();
      }
    }
    last = server;
    return cloud.isServerBusy(server) ? 1500 : 5000;
  }

  const first = await refresh();
  main.append(header, body, connect, consoleLog(id));
  const live = ctx.every(first, refresh);
}
