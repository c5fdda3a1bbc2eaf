// The "Launch instance" dialog: image, flavor, networks, security groups, key pair,
// user-data. Used from the instances page, an image's "Launch" button and the overview.
// The same pickers make an autoscaling group's server template (scaling_form.js).

import { api } from "./api.js";
import * as cloud from "./cloud.js";
import { formDialog, formValues } from "./dialog.js";
import { checkboxes, field, h, select, toast } from "./ui.js";

export function encodeUserData(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

// Smallest first: the default for someone who does not know what a flavor is.
export function bySize(flavors) {
  return [...flavors].sort((a, b) => a.ram - b.ram || a.vcpus - b.vcpus || a.disk - b.disk);
}

// What the pickers offer: active images, flavors smallest first, private networks, ...
export async function templateChoices() {
  const [images, flavors, networks, groups, keypairs] = await Promise.all([
    cloud.images(), cloud.flavors(), cloud.networks(), cloud.securityGroups(), cloud.keypairs(),
  ]);
  return {
    images: images.filter((image) => image.status === "active"),
    flavors: bySize(flavors),
    networks: networks.filter((network) => !network["router:external"]),
    groups, keypairs,
  };
}

// The default image: the one asked for, else the only one, else "base", else the first.
function defaultImage(images, imageId) {
  if (imageId) return imageId;
  return (images.length === 1 ? images[0] : images.find((i) => i.name === "base") || images[0])
    ?.id;
}

// Image, flavor, networks, security groups, key pair and user-data pickers with defaults
// preselected; read them back with templateValues().
export function templateFields(choices, { imageId } = {}) {
  const firstNetwork = choices.networks[0]?.id;
  return [
    field("Image", select("image", choices.images.map((i) => [i.id, i.name || i.id]),
      { value: defaultImage(choices.images, imageId), required: true }),
    "What the instance starts from: an image or a snapshot."),
    field("Flavor", select("flavor", choices.flavors.map((f) => [f.id, cloud.flavorLabel(f)]),
      { value: choices.flavors[0]?.id, required: true }), "Its size: CPUs and memory."),
    checkboxes("Networks", "networks", choices.networks.map((n) => [n.id, n.name || n.id]),
      (id) => id === firstNetwork),
    checkboxes("Security groups", "groups", choices.groups.map((g) => [g.name, g.name]),
      (name) => name === "default", "Firewall rules for its traffic."),
    field("Key pair", select("key", [["", "No key pair"],
      ...choices.keypairs.map((k) => [k.name, k.name])], { value: choices.keypairs[0]?.name || "" }),
    "Its public key is installed for root, for SSH logins."),
    field("User data (optional)", h("textarea", { name: "userData", rows: 4,
      placeholder: "#!/bin/sh\necho hello > /root/hello.txt" }),
    "A script (#!…) or #cloud-config run once at first boot."),
  ];
}

// The checked template values; throws (in words) when no network is chosen.
export function templateValues(values) {
  if (!values.networks.length) throw new Error("Choose at least one network.");
  return {
    image: values.image, flavor: values.flavor,
    networks: values.networks.map((uuid) => ({ uuid })),
    security_groups: values.groups.map((name) => ({ name })),
    key_name: values.key || undefined,
    user_data: values.userData ? encodeUserData(values.userData) : undefined,
  };
}

export async function launchDialog({ imageId, name, onLaunched } = {}) {
  const choices = await templateChoices();
  const fields = [
    field("Name", h("input", { name: "name", required: true, maxlength: 255, value: name,
      placeholder: "e.g. web1", autocomplete: "off" })),
    field("Count", h("input", { name: "count", type: "number", min: 1, max: 20, value: 1,
      required: true }), "More than one: they are named name-1, name-2, …"),
    ...templateFields(choices, { imageId }),
  ];
  return formDialog({
    title: "Launch instance", submitLabel: "Launch", wide: true, fields,
    onSubmit: async (form) => {
      const values = formValues(form);
      const template = templateValues(values);
      const count = Number(values.count) || 1;
      const request = {
        name: values.name, imageRef: template.image, flavorRef: template.flavor,
        networks: template.networks, security_groups: template.security_groups,
        key_name: template.key_name, user_data: template.user_data,
        min_count: count, max_count: count,
      };
      const { server } = await api.post("compute", "/servers", { server: request });
      toast(`Launching ${values.name}${count > 1 ? ` (${count} instances)` : ""}.`, "ok");
      onLaunched?.(server);
    },
  });
}
