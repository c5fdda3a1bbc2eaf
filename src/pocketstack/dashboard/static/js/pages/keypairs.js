// Key pairs: create (the private key is downloaded once), import a public key, delete.

import { api } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction, formDialog, formValues, infoDialog } from "../dialog.js";
import { button, download, field, h, pageHeader, table, toast } from "../ui.js";

const NAME_HELP = "Letters, digits, spaces, '.', '_' and '-'.";

function nameInput() {
  return h("input", { name: "name", required: true, maxlength: 255, autocomplete: "off",
    pattern: "[A-Za-z0-9 ._\\-@]+", placeholder: "e.g. mykey" });
}

function privateKeyDialog(keypair) {
  const filename = `${keypair.name}.pem`;
  download(filename, keypair.private_key, "application/x-pem-file");
  infoDialog({
    title: `Key pair ${keypair.name} created`,
    body: h("div", {},
      h("p", {}, `Your browser downloaded the private key as ${filename}. Keep it safe: this ` +
        "is the only time it is shown; the cloud does not keep it."),
      h("p", {}, "Use it with: ", h("code", {}, `chmod 600 ${filename}; ssh -i ${filename} ` +
        "root@FLOATING_IP")),
      button("Download the private key again", () => download(filename, keypair.private_key,
        "application/x-pem-file"))),
  });
}

export function createKeypairDialog(done) {
  formDialog({
    title: "Create key pair", submitLabel: "Create key pair",
    intro: "The cloud makes a new key pair; you download its private key once.",
    fields: [field("Name", nameInput(), NAME_HELP)],
    onSubmit: async (form) => {
      const { name } = formValues(form);
      const { keypair } = await api.post("compute", "/os-keypairs", { keypair: { name } });
      done();
      setTimeout(() => privateKeyDialog(keypair));
    },
  });
}

function importDialog(done) {
  const file = h("input", { type: "file", accept: ".pub,text/plain" });
  const text = h("textarea", { name: "publicKey", rows: 4, required: true,
    placeholder: "ssh-ed25519 AAAA… you@laptop" });
  file.addEventListener("change", async () => {
    if (file.files[0]) text.value = (await file.files[0].text()).trim();
  });
  formDialog({
    title: "Import public key", submitLabel: "Import",
    intro: "Use a key you already have (e.g. the contents of ~/.ssh/id_ed25519.pub).",
    fields: [field("Name", nameInput(), NAME_HELP), field("Public key", text),
      field("…or read it from a file", file)],
    onSubmit: async (form) => {
      const { name, publicKey } = formValues(form);
      await api.post("compute", "/os-keypairs", { keypair: { name, public_key: publicKey } });
      toast(`Imported ${name}.`, "ok");
      done();
    },
  });
}

export default async function keypairs(main) {
  const holder = h("div", { class: "card flush" });
  async function refresh() {
    const items = await cloud.keypairs();
    holder.replaceChildren(table({
      caption: "Key pairs", rows: items, key: (k) => k.name,
      empty: h("p", {}, "No key pairs yet. Create one to log in to your instances with SSH."),
      columns: [
        { label: "Name", cell: (k) => k.name },
        { label: "Type", cell: (k) => k.type || "ssh" },
        { label: "Fingerprint", cell: (k) => h("code", {}, k.fingerprint) },
        { label: "", class: "row-actions", cell: (k) => button("Delete", () => confirmAction({
          title: `Delete key pair ${k.name}?`, confirmLabel: "Delete",
          text: "Instances that have it keep it; new instances cannot use it.",
          action: async () => {
            await api.del("compute", `/os-keypairs/${encodeURIComponent(k.name)}`);
            toast(`Deleted ${k.name}.`, "ok");
            refresh();
          },
        }), { kind: "small danger", label: `Delete ${k.name}` }) },
      ],
    }));
  }
  main.append(pageHeader("Key pairs", "SSH keys installed into instances at launch.",
    button("Import public key", () => importDialog(refresh)),
    button("Create key pair", () => createKeypairDialog(refresh), { kind: "primary" })), holder);
  await refresh();
}
