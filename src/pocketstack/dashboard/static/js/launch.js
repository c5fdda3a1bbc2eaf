// The "Launch instance" dialog: image, flavor, networks, security groups, key pair,
// user-data. Used from the instances page and from an image's "Launch" button.

import { api } from "./api.js";
import * as cloud from "./cloud.js";
import { formDialog, formValues } from "./dialog.js";
import { field, h, select, toast } from "./ui.js";

function checkboxes(legend, name, items, checked, help) {
  return h("fieldset", { class: "checks" }, h("legend", {}, legend),
    help ? h("p", { class: "help" }, help) : null,
    items.length ? items.map(([value, text]) => h("label", { class: "check" },
      h("input", { type: "checkbox", name, value, checked: checked(value) }), text))
      : h("p", { class: "muted" }, "None available."));
}

function encodeUserData(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

export async function launchDialog({ imageId, onLaunched } = {}) {
  const [images, flavors, networks, groups, keypairs] = await Promise.all([
    cloud.images(), cloud.flavors(), cloud.networks(), cloud.securityGroups(), cloud.keypairs(),
  ]);
  const bootable = images.filter((image) => image.status === "active");
  const tenant = networks.filter((network) => !network["router:external"]);
  const firstNetwork = tenant[0]?.id;
  const fields = [
    field("Name", h("input", { name: "name", required: true, maxlength: 255,
      placeholder: "e.g. web1", autocomplete: "off" })),
    field("Count", h("input", { name: "count", type: "number", min: 1, max: 20, value: 1,
      required: true }), "More than one: they are named name-1, name-2, …"),
    field("Image", select("image", bootable.map((i) => [i.id, i.name || i.id]),
      { value: imageId || bootable.find((i) => i.name === "base")?.id, required: true }),
      "What the instance starts from: an image or a snapshot."),
    field("Flavor", select("flavor", flavors.map((f) => [f.id, cloud.flavorLabel(f)]),
      { required: true }), "Its size: CPUs and memory."),
    checkboxes("Networks", "networks", tenant.map((n) => [n.id, n.name || n.id]),
      (id) => id === firstNetwork),
    checkboxes("Security groups", "groups", groups.map((g) => [g.name, g.name]),
      (name) => name === "default", "Firewall rules for its traffic."),
    field("Key pair", select("key", [["", "No key pair"],
      ...keypairs.map((k) => [k.name, k.name])], { value: keypairs[0]?.name || "" }),
      "Its public key is installed for root, for SSH logins."),
    field("User data (optional)", h("textarea", { name: "userData", rows: 4,
      placeholder: "#!/bin/sh\necho hello > /root/hello.txt" }),
      "A script (#!…) or #cloud-config run once at first boot."),
  ];
  return formDialog({
    title: "Launch instance", submitLabel: "Launch", wide: true, fields,
    onSubmit: async (form) => {
      const values = formValues(form);
      if (!values.networks.length) throw new Error("Choose at least one network.");
      const count = Number(values.count) || 1;
      const request = {
        name: values.name, imageRef: values.image, flavorRef: values.flavor,
        networks: values.networks.map((uuid) => ({ uuid })),
        security_groups: values.groups.map((name) => ({ name })),
        min_count: count, max_count: count,
      };
      if (values.key) request.key_name = values.key;
      if (values.userData) request.user_data = encodeUserData(values.userData);
      await api.post("compute", "/servers", { server: request });
      toast(`Launching ${values.name}${count > 1 ? ` (${count} instances)` : ""}.`, "ok");
      onLaunched?.();
    },
  });
}
