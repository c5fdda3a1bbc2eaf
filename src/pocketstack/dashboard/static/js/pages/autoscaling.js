// Autoscaling groups: create; sizes, metric, servers and the scaling events, live; resize,
// delete.

import { api } from "../api.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { createGroupDialog } from "../scaling_form.js";
import { button, clear, field, formatTime, h, pageHeader, statusBadge, table,
  toast } from "../ui.js";

function resizeDialog(group, done) {
  formDialog({
    title: `Resize ${group.name}`, submitLabel: "Resize",
    intro: `Between ${group.min_size} and ${group.max_size} servers. The metric may change ` +
      "it again later.",
    fields: [field("Desired servers", h("input", { name: "size", type: "number", required: true,
      min: group.min_size, max: group.max_size, value: group.desired_size }))],
    onSubmit: async (form) => {
      const desired = Number(formValues(form).size);
      await api.post("autoscaling", `/groups/${group.id}/resize`, { desired_size: desired });
      toast(`${group.name} goes to ${desired} servers.`, "ok");
      done();
    },
  });
}

function metricText(metric, last) {
  if (!metric) return "none (fixed size)";
  const now = last === null || last === undefined ? "" : `, now ${Number(last).toFixed(1)}`;
  return `${metric.type.replaceAll("_", " ")}: target ${metric.target} per server${now}`;
}

function card(group, events, done) {
  const row = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
  return h("section", { class: "card", "aria-labelledby": `asg-${group.id}` },
    h("div", { class: "page-header" },
      h("div", {}, h("h2", { id: `asg-${group.id}` }, group.name),
        statusBadge(group.status)),
      h("div", { class: "actions" },
        button("Resize", () => resizeDialog(group, done),
          { kind: "small", label: `Resize ${group.name}` }),
        button("Delete", () => confirmAction({
          title: `Delete group ${group.name}?`, confirmLabel: "Delete",
          text: "Its servers are drained and deleted.",
          action: async () => {
            await api.del("autoscaling", `/groups/${group.id}`);
            toast(`Deleting ${group.name}.`, "ok");
            done();
          },
        }), { kind: "small danger", label: `Delete group ${group.name}` }))),
    h("dl", { class: "details" },
      row("Servers", `${group.current_size} in service, ${group.desired_size} wanted ` +
        `(min ${group.min_size}, max ${group.max_size})`),
      row("Metric", metricText(group.metric, group.last_metric)),
      group.status_reason ? row("Reason", group.status_reason) : null),
    h("h3", { class: "sub" }, "Servers"),
    h("div", { class: "flush" }, table({ caption: `Servers of ${group.name}`,
      rows: group.servers, empty: "No servers.", columns: [
        { label: "Name", cell: (s) => h("a", { href: `#/instances/${s.id}` }, s.name) },
        { label: "Status", cell: (s) => statusBadge(s.status) },
        { label: "In the group", cell: (s) => s.scaling_state.replaceAll("_", " ") },
      ] })),
    h("h3", { class: "sub" }, "Scaling events"),
    h("div", { class: "flush" }, table({ caption: `Scaling events of ${group.name}`,
      rows: events.slice(0, 10), empty: "No scaling yet.", columns: [
        { label: "Action", cell: (e) => e.action.replaceAll("_", " ") },
        { label: "Size", cell: (e) => (e.to_size === null || e.to_size === undefined ? "–"
          : `${e.from_size ?? "–"} → ${e.to_size}`) },
        { label: "Why", cell: (e) => e.reason || "–" },
        { label: "When", cell: (e) => formatTime(e.created_at) },
      ] })));
}

export default async function autoscaling(main, ctx) {
  const holder = h("div");
  let shown = null; // redraw only on change: keeps the keyboard focus where it is
  async function refresh() {
    const { groups } = await api.get("autoscaling", "/groups");
    const events = await Promise.all(groups.map((g) =>
      api.get("autoscaling", `/groups/${g.id}/events`)));
    const signature = JSON.stringify([groups, events]);
    if (signature !== shown) redraw(groups, events);
    shown = signature;
    const busy = groups.some((g) => g.current_size !== g.desired_size ||
      !/^(ACTIVE|ERROR)$/.test(g.status));
    return busy ? 1500 : 3000;
  }
  function redraw(groups, events) {
    if (!groups.length) {
      clear(holder, h("div", { class: "card empty" }, "No autoscaling groups yet. A group keeps a " +
        "number of identical servers alive and follows a metric: create one."));
    } else {
      clear(holder, groups.map((g, i) => card(g, events[i].events || [], () => live.kick())));
    }
  }
  const first = await refresh();
  main.append(pageHeader("Autoscaling", "Groups of identical servers that grow and shrink " +
    "with load.", button("Create group", () => createGroupDialog(() => live.kick())
    .catch((error) => toast(error.message, "error")), { kind: "primary" })), holder);
  const live = ctx.every(first, refresh);
}
