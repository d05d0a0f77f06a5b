// @ts-check
/**
 * Share and save: copy the link (the settings live in its hash), download
 * the live session as an experiment file, and load one back.
 */
import { button, el, filePicker } from "./dom.js";

/** How long "Link copied" stays on the Share button. */
const FEEDBACK_MS = 2000;
/** The Share button's resting text. */
const SHARE_TEXT = "Share link";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {(text: string, kind?: "error" | "info") => void} Notify
 */

/**
 * @param {HTMLElement} element the #tools toolbar
 * @param {{store: any, basePath: string, notify: Notify}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createTools(element, { store, basePath, notify }) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let feedbackTimer;
  const share = button(SHARE_TEXT, "Copy a link to this experiment (its settings are in the address)", async () => {
    const href = location.href;
    try {
      await navigator.clipboard.writeText(href);
      share.textContent = "Link copied ✓";
    } catch {
      window.prompt("Copy this link:", href);
      share.textContent = "Link ready";
    }
    share.classList.add("is-done");
    clearTimeout(feedbackTimer);
    feedbackTimer = setTimeout(() => {
      share.textContent = SHARE_TEXT;
      share.classList.remove("is-done");
    }, FEEDBACK_MS);
  });

  const exportLink = el("a", { class: "btn", text: "Export", download: "",
    title: "Download this experiment (settings, points, weights, counters) as a JSON file" });

  /** @param {File} file */
  async function importFile(file) {
    const hello = store.get().hello;
    if (!hello?.session_id) return;
    try {
      const response = await fetch(`${basePath}/api/sessions/${hello.session_id}/import`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: await file.text(),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) notify(`Loaded ${file.name}: ${body.dataset ?? "experiment"}, step ${body.step ?? 0}.`, "info");
      else notify(`${file.name}: ${body.field ?? "import"}: ${body.message ?? response.statusText}`, "error");
    } catch (error) {
      notify(`${file.name}: could not be sent (${error instanceof Error ? error.message : String(error)})`, "error");
    }
  }

  const importPicker = filePicker("Import…", "Load an experiment file saved with Export",
    ".json,application/json", importFile);
  element.append(share, exportLink, importPicker);

  return {
    render(state, previous) {
      if (state.hello !== previous.hello && state.hello) {
        // A follower has no session of its own to export.
        const id = state.hello.session_id;
        if (id) exportLink.href = `${basePath}/api/sessions/${id}/export`;
        else exportLink.removeAttribute("href");
        exportLink.toggleAttribute("aria-disabled", !id);
      }
    },
  };
}
