// Instances: the project's servers with live status, and "Launch instance".

import * as cloud from "../cloud.js";
import { launchDialog } from "../launch.js";
import { announce, button, h, pageHeader, patchTable, statusBadge, table } from "../ui.js";

const FAST = 1500;
const SLOW = 5000;

function addressList(server) {
  const addresses = cloud.addressesOf(server);
  if (!addresses.length) return "–";
  return h("ul", { class: "plain" }, addresses.map((a) =>
    h("li", {}, a.addr, a.type === "floating" ? h("span", { class: "tag" }, "floating") : null)));
}

function columns(imageNames) {
  return [
    { label: "Name", cell: (s) => h("a", { href: `#/instances/${s.id}` }, s.name) },
    { label: "Status", cell: (s) => statusBadge(s.status, s["OS-EXT-STS:task_state"]) },
    { label: "IP addresses", cell: addressList },
    { label: "Image", cell: (s) => imageNames.get(s.image?.id) || "–" },
    { label: "Flavor", cell: (s) => cloud.flavorLabel(s.flavor) },
    { label: "Key pair", cell: (s) => s.key_name || "–" },
    { label: "", class: "row-actions", cell: (s) => s.status === "ACTIVE"
      ? h("a", { class: "button small", href: `#/instances/${s.id}/console`,
        "aria-label": `Console of ${s.name}` }, "Console") : "" },
  ];
}

export default async function instances(main, ctx) {
  const holder = h("div", { class: "card flush" });
  const statuses = new Map();
  let imageNames = new Map();

  async function refresh() {
    const [servers, images] = await Promise.all([cloud.servers(), cloud.images()]);
    imageNames = new Map(images.map((i) => [i.id, i.name]));
    servers.sort((a, b) => a.name.localeCompare(b.name));
    for (const s of servers) {
      const before = statuses.get(s.id);
      if (before && before !== s.status) announce(`Instance ${s.name} is now ${s.status}.`);
      statuses.set(s.id, s.status);
    }
    const fresh = table({ caption: "Instances", columns: columns(imageNames), rows: servers,
      empty: h("p", {}, "No instances yet. Launch one: it starts in about a second.") });
    const old = holder.firstElementChild;
    if (old && old.tagName === "DIV" && old.classList.contains("table-wrap") &&
        fresh.classList.contains("table-wrap")) patchTable(old, fresh);
    else holder.replaceChildren(fresh);
    return servers.some(cloud.isServerBusy) ? FAST : SLOW;
  }

  main.append(
    pageHeader("Instances", "Your servers. Status changes show up here as they happen.",
      button("Launch instance", () => launchDialog({ onLaunched: () => live.kick() }),
        { kind: "primary" })),
    holder);
  const live = ctx.every(await refresh(), refresh);
}
