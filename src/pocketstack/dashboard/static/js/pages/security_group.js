// One security group's rules: add (common services or custom), delete.

import { api } from "../api.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { button, clear, field, h, select, table, toast } from "../ui.js";

const PRESETS = {
  ssh: { protocol: "tcp", port: "22", label: "SSH (TCP 22)" },
  http: { protocol: "tcp", port: "80", label: "HTTP (TCP 80)" },
  https: { protocol: "tcp", port: "443", label: "HTTPS (TCP 443)" },
  icmp: { protocol: "icmp", port: "", label: "Ping (ICMP)" },
  mysql: { protocol: "tcp", port: "3306", label: "MySQL / MariaDB (TCP 3306)" },
  tcp: { protocol: "tcp", port: "", label: "Custom TCP port" },
  udp: { protocol: "udp", port: "", label: "Custom UDP port" },
  any: { protocol: "", port: "", label: "All traffic" },
};

function ports(rule) {
  if (rule.port_range_min === null || rule.port_range_min === undefined) return "any";
  return rule.port_range_min === rule.port_range_max ? String(rule.port_range_min)
    : `${rule.port_range_min}–${rule.port_range_max}`;
}

function remote(rule, names) {
  if (rule.remote_group_id) return `group ${names.get(rule.remote_group_id) || rule.remote_group_id}`;
  return rule.remote_ip_prefix || "anywhere";
}

function parsePorts(text) {
  const match = text.match(/^(\d+)(?:\s*[-:–]\s*(\d+))?$/);
  if (!match) throw new Error("Ports: one number (80) or a range (8000-8080).");
  const [low, high] = [Number(match[1]), Number(match[2] || match[1])];
  if (low < 1 || high > 65535 || low > high) throw new Error("Ports are between 1 and 65535.");
  return [low, high];
}

function ruleDialog(group, done) {
  const preset = select("preset", Object.entries(PRESETS).map(([k, p]) => [k, p.label]),
    { value: "ssh" });
  const portInput = h("input", { name: "ports", value: "22", placeholder: "80 or 8000-8080" });
  preset.addEventListener("change", () => { portInput.value = PRESETS[preset.value].port; });
  formDialog({
    title: `Add a rule to ${group.name}`, submitLabel: "Add rule",
    fields: [
      field("Rule", preset),
      field("Direction", select("direction", [["ingress", "Ingress (incoming)"],
        ["egress", "Egress (outgoing)"]], { value: "ingress" })),
      field("Port or range", portInput, "For TCP and UDP rules."),
      field("From (CIDR)", h("input", { name: "cidr", value: "0.0.0.0/0", required: true }),
        "0.0.0.0/0 means anywhere; 10.0.0.0/24 only that subnet."),
    ],
    onSubmit: async (form) => {
      const values = formValues(form);
      const { protocol } = PRESETS[values.preset];
      const rule = { security_group_id: group.id, direction: values.direction,
        ethertype: "IPv4", remote_ip_prefix: values.cidr };
      if (protocol) rule.protocol = protocol;
      if (protocol === "tcp" || protocol === "udp") {
        [rule.port_range_min, rule.port_range_max] = parsePorts(values.ports);
      }
      await api.post("network", "/security-group-rules", { security_group_rule: rule });
      toast("Rule added.", "ok");
      done();
    },
  });
}

export default async function securityGroup(main, ctx) {
  const [id] = ctx.params;
  const names = new Map();
  async function refresh() {
    const [{ security_group: group }, { security_groups: all }] = await Promise.all([
      api.get("network", `/security-groups/${id}`), api.get("network", "/security-groups")]);
    for (const g of all) names.set(g.id, g.name);
    const rules = [...group.security_group_rules].sort((a, b) =>
      a.direction.localeCompare(b.direction) || (a.port_range_min || 0) - (b.port_range_min || 0));
    clear(main,
      h("header", { class: "page-header" },
        h("div", {}, h("p", { class: "crumbs" }, h("a", { href: "#/security-groups" },
          "Security groups"), " /"), h("h1", { tabindex: "-1" }, group.name),
        h("p", { class: "intro" }, group.description || "Rules allow traffic; " +
          "everything else is dropped.")),
        h("div", { class: "actions" }, button("Add rule", () => ruleDialog(group, refresh),
          { kind: "primary" }))),
      h("div", { class: "card flush" }, table({ caption: `Rules of ${group.name}`, rows: rules,
        empty: "No rules: nothing gets in or out.", columns: [
          { label: "Direction", cell: (r) => r.direction },
          { label: "Protocol", cell: (r) => r.protocol || "any" },
          { label: "Ports", cell: ports },
          { label: "Remote", cell: (r) => remote(r, names) },
          { label: "Ether type", cell: (r) => r.ethertype },
          { label: "", class: "row-actions", cell: (r) => button("Delete", () => confirmAction({
            title: "Delete this rule?", confirmLabel: "Delete",
            text: `${r.direction} ${r.protocol || "any"} ${ports(r)} from ${remote(r, names)}.`,
            action: async () => {
              await api.del("network", `/security-group-rules/${r.id}`);
              toast("Rule deleted.", "ok");
              refresh();
            },
          }), { kind: "small danger", label: "Delete rule" }) },
        ] })));
    main.querySelector("h1").focus();
  }
  await refresh();
}
