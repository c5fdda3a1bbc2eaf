// Security groups: the project's firewalls. Create, delete; rules on each group's page.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { button, field, h, pageHeader, table, toast } from "../ui.js";

function createDialog(ctx) {
  formDialog({
    title: "Create security group", submitLabel: "Create",
    intro: "A new group lets all traffic out and nothing in; add rules to open ports.",
    fields: [field("Name", h("input", { name: "name", required: true, maxlength: 255 })),
      field("Description", h("input", { name: "description", maxlength: 255 }))],
    onSubmit: async (form) => {
      const { name, description } = formValues(form);
      const { security_group: group } = await api.post("network", "/security-groups",
        { security_group: { name, description } });
      toast(`Created ${name}: now add its rules.`, "ok");
      ctx.go(`#/security-groups/${group.id}`);
    },
  });
}

export default async function securityGroups(main, ctx) {
  const holder = h("div", { class: "card flush" });
  async function refresh() {
    const groups = await cloud.securityGroups();
    holder.replaceChildren(table({ caption: "Security groups", rows: groups,
      empty: "No security groups.", columns: [
        { label: "Name", cell: (g) => h("a", { href: `#/security-groups/${g.id}` }, g.name) },
        { label: "Description", cell: (g) => g.description || "–" },
        { label: "Rules", cell: (g) => String(g.security_group_rules.length) },
        { label: "", class: "row-actions", cell: (g) => h("div", { class: "actions" },
          h("a", { class: "button small", href: `#/security-groups/${g.id}`,
            "aria-label": `Rules of ${g.name}` }, "Rules"),
          g.name === "default" ? null : button("Delete", () => confirmAction({
            title: `Delete security group ${g.name}?`, confirmLabel: "Delete",
            text: "Instances must not use it any more.",
            action: async () => {
              await api.del("network", `/security-groups/${g.id}`);
              toast(`Deleted ${g.name}.`, "ok");
              refresh();
            },
          }), { kind: "small danger", label: `Delete ${g.name}` })) },
      ] }));
  }
  main.append(pageHeader("Security groups", "Firewall rules for your instances: by default, " +
    "instances accept traffic only from instances of the same group.",
  button("Create security group", () => createDialog(ctx), { kind: "primary" })), holder);
  await refresh();
}
