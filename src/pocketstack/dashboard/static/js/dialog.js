// Modal dialogs on the native <dialog>: focus moves in on open (first field), Escape
// cancels, focus returns to what opened it on close. Forms show the API's error in words.

import { h } from "./ui.js";

let counter = 0;

function openDialog(content, { labelledBy, wide }) {
  const opener = document.activeElement;
  const dialog = h("dialog", { class: wide ? "wide" : "", "aria-labelledby": labelledBy },
    content);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector("input:not([type=hidden]), select, textarea, [autofocus]");
  (first || dialog.querySelector("button")).focus();
  return dialog;
}

export function errorBox() {
  return h("div", { class: "form-error", role: "alert", tabindex: "-1", hidden: true });
}

export function showError(box, error) {
  box.textContent = error.message || String(error);
  box.hidden = false;
}

// A dialog holding a form. onSubmit(form, dialog) may throw: the message is shown and the
// dialog stays open; when it returns, the dialog closes (unless it returns "keep").
export function formDialog({ title, intro, fields, submitLabel = "Save", onSubmit, wide,
                             danger }) {
  const id = `dialog-title-${++counter}`;
  const error = errorBox();
  const submit = h("button", { type: "submit", class: danger ? "danger" : "primary" },
    submitLabel);
  const cancel = h("button", { type: "button", onclick: () => dialog.close() }, "Cancel");
  const form = h("form", { novalidate: true },
    h("h2", { id }, title), intro ? h("p", { class: "intro" }, intro) : null, error,
    h("div", { class: "fields" }, fields), h("div", { class: "dialog-actions" }, cancel, submit));
  const dialog = openDialog(form, { labelledBy: id, wide });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    error.hidden = true;
    try {
      const result = await onSubmit(form, dialog);
      if (result !== "keep") dialog.close();
    } catch (failure) {
      showError(error, failure);
      error.focus?.();
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });
  return dialog;
}

// A dialog with text and a Close button, e.g. a one-time secret.
export function infoDialog({ title, body, closeLabel = "Close" }) {
  const id = `dialog-title-${++counter}`;
  const close = h("button", { type: "button", class: "primary", onclick: () => dialog.close() },
    closeLabel);
  const dialog = openDialog(h("div", {}, h("h2", { id }, title), body,
    h("div", { class: "dialog-actions" }, close)), { labelledBy: id });
  return dialog;
}

// Resolves true when confirmed. The action runs inside, so its error shows in the dialog.
export function confirmAction({ title, text, confirmLabel, action }) {
  return new Promise((resolve) => {
    const dialog = formDialog({
      title, intro: text, fields: [], submitLabel: confirmLabel, danger: true,
      onSubmit: async () => { await action(); resolve(true); },
    });
    dialog.addEventListener("close", () => resolve(false));
  });
}

// Read a form's named controls: checkboxes of one name as a list of checked values.
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name) continue;
    if (control.type === "checkbox") {
      values[control.name] ??= [];
      if (control.checked) values[control.name].push(control.value);
    } else if (control.type !== "file") {
      values[control.name] = control.value.trim ? control.value.trim() : control.value;
    }
  }
  return values;
}
