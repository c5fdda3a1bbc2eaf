// API access: the endpoints, and openrc / clouds.yaml for this user and project.

import { api } from "../api.js";
import { session } from "../session.js";
import { button, download, h, pageHeader, section, table, toast } from "../ui.js";

async function fetchFile(path, filename) {
  try {
    const response = await api.get("dashboard", path, { raw: true });
    download(filename, await response.text());
  } catch (error) {
    toast(error.message, "error");
  }
}

export default async function apiAccess(main) {
  const { catalog } = await api.get("identity", "/auth/catalog");
  const rows = catalog.map((service) => ({ id: service.id, type: service.type,
    name: service.name, url: service.endpoints.find((e) => e.interface === "public")?.url }));
  const project = session.project.name.replace(/[^A-Za-z0-9._-]/g, "_");
  main.append(
    pageHeader("API access", "Use the openstack command-line client, or any OpenStack " +
      "tool, with the same account."),
    section("Command-line credentials",
      h("p", {}, "The ", h("strong", {}, "openrc"), " file sets the variables the openstack " +
        "client reads. It holds no password: it asks for yours when you source it."),
      h("pre", { class: "snippet" },
        `source ${project}-openrc.sh     # type your password\nopenstack server list`),
      h("p", {}, h("strong", {}, "clouds.yaml"), " is the same for openstacksdk, Ansible and " +
        "Terraform: put it in ~/.config/openstack/ and add your password under auth."),
      h("div", { class: "actions" },
        button("Download openrc", () => fetchFile("/openrc", `${project}-openrc.sh`),
          { kind: "primary" }),
        button("Download clouds.yaml", () => fetchFile("/clouds.yaml", "clouds.yaml")))),
    section("Endpoints", h("p", {}, `User ${session.user.name} in project ` +
      `${session.project.name} (ID `, h("code", {}, session.project.id), ")."),
    h("div", { class: "flush" }, table({ caption: "Service endpoints", rows, columns: [
      { label: "Service", cell: (s) => s.type },
      { label: "Name", cell: (s) => s.name },
      { label: "URL", cell: (s) => h("code", {}, s.url) },
    ] }))));
}
