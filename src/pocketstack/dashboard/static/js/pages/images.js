// Images: upload (with progress), delete, launch from. Snapshots are images too.

import { api, upload } from "../api.js";
import * as cloud from "../cloud.js";
import { confirmAction, formDialog, formValues } from "../dialog.js";
import { launchDialog } from "../launch.js";
import { button, field, formatBytes, formatTime, h, pageHeader, patchTable, select,
  statusBadge, table, toast } from "../ui.js";
import { session } from "../session.js";

const BUSY = new Set(["queued", "saving", "importing", "uploading"]);

function uploadDialog(done) {
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload" });
  const progressText = h("p", { class: "muted", "aria-live": "polite" });
  formDialog({
    title: "Upload image", submitLabel: "Upload",
    intro: "An image is a tar archive of a root filesystem (plain, gzip, bzip2 or xz), e.g. " +
      "from `docker export` or debootstrap.",
    fields: [
      field("Name", h("input", { name: "name", required: true, maxlength: 255 })),
      field("File", h("input", { name: "file", type: "file", required: true })),
      field("Container format", select("container", [["docker", "docker (a root filesystem tar)"],
        ["bare", "bare"], ["ova", "ova"]], { value: "docker" })),
      field("Disk format", select("disk", [["raw", "raw"], ["qcow2", "qcow2"], ["iso", "iso"]],
        { value: "raw" })),
      field("Visibility", select("visibility", [["private", "private: this project only"],
        ["shared", "shared: projects you share it with"]], { value: "private" })),
      progress, progressText,
    ],
    onSubmit: async (form) => {
      const values = formValues(form);
      const file = form.file.files[0];
      const image = await api.post("image", "/images", { name: values.name,
        container_format: values.container, disk_format: values.disk,
        visibility: values.visibility });
      progress.hidden = false;
      try {
        await upload(`/images/${image.id}/file`, file, (sent, total) => {
          const percent = total ? Math.round((sent / total) * 100) : 0;
          progress.value = percent;
          progressText.textContent = `${formatBytes(sent)} of ${formatBytes(total)} (${percent}%)`;
        });
      } catch (error) {
        await api.del("image", `/images/${image.id}`).catch(() => {});
        throw error;
      }
      toast(`Uploaded ${values.name}.`, "ok");
      done();
    },
  });
}

function columns(refresh) {
  return [
    { label: "Name", cell: (i) => i.name || i.id },
    { label: "Status", cell: (i) => statusBadge(i.status.toUpperCase(),
      BUSY.has(i.status) ? i.status : null) },
    { label: "Kind", cell: (i) => (i.base_image_ref || i.image_type === "snapshot"
      ? "snapshot" : "image") },
    { label: "Visibility", cell: (i) => i.visibility },
    { label: "Size", cell: (i) => formatBytes(i.size) },
    { label: "Created", cell: (i) => formatTime(i.created_at) },
    { label: "", class: "row-actions", cell: (i) => h("div", { class: "actions" },
      button("Launch", () => launchDialog({ imageId: i.id }),
        { kind: "small", disabled: i.status !== "active", label: `Launch from ${i.name}` }),
      i.owner === session.project.id ? button("Delete", () => confirmAction({
        title: `Delete image ${i.name}?`, confirmLabel: "Delete",
        text: "Instances already running from it keep running.",
        action: async () => {
          await api.del("image", `/images/${i.id}`);
          toast(`Deleted ${i.name}.`, "ok");
          refresh();
        },
      }), { kind: "small danger", label: `Delete ${i.name}` }) : null) },
  ];
}

export default async function images(main, ctx) {
  const holder = h("div", { class: "card flush" });
  async function refresh() {
    const items = (await cloud.images()).sort((a, b) => (a.name || "").localeCompare(b.name || ""));
    const fresh = table({ caption: "Images", rows: items, columns: columns(() => live.kick()),
      empty: "No images." });
    const old = holder.firstElementChild;
    if (old?.classList.contains("table-wrap") && fresh.classList.contains("table-wrap")) {
      patchTable(old, fresh);
    } else holder.replaceChildren(fresh);
    return items.some((i) => BUSY.has(i.status)) ? 1500 : 5000;
  }
  main.append(pageHeader("Images", "What instances start from. Snapshots of your instances " +
    "appear here too.", button("Upload image", () => uploadDialog(() => live.kick()),
    { kind: "primary" })), holder);
  const live = ctx.every(await refresh(), refresh);
}
