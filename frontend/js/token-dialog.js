// The question for the write token: a modal <dialog> in the page (no window.prompt, which the
// page cannot style or label), answered with the typed token or null when cancelled.

const byId = (id) => document.getElementById(id);

/** Shows the dialog with `reason` and resolves when it closes. */
export function askForWriteToken(reason) {
  const dialog = byId("token-dialog");
  const input = byId("token-input");
  byId("token-reason").textContent = reason;
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "save" ? input.value : null),
      { once: true },
    );
    dialog.returnValue = "";
    dialog.showModal();
    input.focus();
  });
}
