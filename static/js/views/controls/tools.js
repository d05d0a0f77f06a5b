// @ts-check
/**
 * Share and save: copy the link (the settings live in its hash), download
 * the live session as an experiment file, and load one back.
 */
import { button, el, filePicker } from "./dom.js";
import { spoken, t } from "../../i18n.js";

/** How long "Link copied" stays on the Share button. */
const FEEDBACK_MS = 2000;
/** The Share button's resting text. */
const SHARE_TEXT = "tools.share";

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
  const share = button(SHARE_TEXT, "tools.share_title", async () => {
    const href = location.href;
    try {
      await navigator.clipboard.writeText(href);
      share.textContent = t("tools.copied");
    } catch {
      window.prompt(t("tools.copy_prompt"), href);
      share.textContent = t("tools.ready");
    }
    share.classList.add("is-done");
    clearTimeout(feedbackTimer);
    feedbackTimer = setTimeout(() => {
      share.textContent = t(SHARE_TEXT);
      share.classList.remove("is-done");
    }, FEEDBACK_MS);
  });

  const exportLink = el("a", { class: "btn", i18n: "tools.export", download: "", i18nTitle: "tools.export_title" });

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
      if (response.ok) {
        notify(t("tools.loaded", { name: file.name, dataset: body.dataset ?? "", step: body.step ?? 0 }), "info");
      } else {
        const message = spoken(body, body.message ?? response.statusText);
        notify(`${file.name}: ${body.field ?? "import"}: ${message}`, "error");
      }
    } catch (error) {
      notify(t("tools.not_sent", { name: file.name, reason: error instanceof Error ? error.message : String(error) }),
        "error");
    }
  }

  const importPicker = filePicker("tools.import", "tools.import_title",
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
