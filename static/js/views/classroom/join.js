// @ts-check
/**
 * Joining a class by its code. The home page has a "Join a class" field in
 * the tools toolbar; a code typed there (or anywhere here) opens
 * /join/CODE. A /join/CODE page whose code no class has (the server answers
 * an `error` with field `room` and closes with 4404), or from an address
 * that tried too many wrong codes (4429), says so and offers a field to
 * type another code.
 */
import { el } from "../controls/dom.js";
import { t } from "../../i18n.js";

/** Close code: no class has that code. */
const NO_SUCH_ROOM = 4404;
/** Close code: too many wrong codes from this address. */
const TOO_MANY_TRIES = 4429;
/** Longest code a learner may type (codes are six characters; spaces and dashes are dropped). */
const MAX_CODE_LENGTH = 12;
/** The home page's field (catalogue keys). */
const HOME_LABEL = "class.join.home";
const CODE_PLACEHOLDER = "class.join.placeholder";

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * @param {HTMLElement} slot where the wrong-code box goes
 * @param {HTMLElement} toolbar the #tools toolbar, for the home page's field
 * @param {{basePath: string, route: import("../../route.js").Route}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createJoin(slot, toolbar, { basePath, route }) {
  /** @param {string} typed what was typed: spaces and dashes are dropped, letters made capitals */
  function go(typed) {
    const code = typed.replace(/[\s-]/g, "").toUpperCase();
    if (code) location.assign(`${basePath}/join/${encodeURIComponent(code)}`);
  }
  /**
   * A label, a code field and Join (plus `extra` after them).
   * @param {string} id @param {string} label @param {HTMLElement[]} extra
   * @returns {[HTMLFormElement, HTMLInputElement]}
   */
  function codeForm(id, label, extra) {
    const input = el("input", { type: "text", class: "join-input", id, autocomplete: "off", spellcheck: false,
      maxLength: MAX_CODE_LENGTH, autocapitalize: "characters", required: true, placeholder: t(CODE_PLACEHOLDER) });
    input.dataset.i18nPlaceholder = CODE_PLACEHOLDER;
    const form = el("form", { class: "join-form" }, [
      el("label", { for: id, i18n: label }), input,
      el("button", { type: "submit", class: "btn btn-primary", i18n: "class.join.button" }), ...extra,
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      go(input.value);
    });
    return [/** @type {HTMLFormElement} */ (form), /** @type {HTMLInputElement} */ (input)];
  }

  const message = el("p", { class: "join-message", role: "alert" });
  const [form, input] = codeForm("join-code", "class.join.code",
    [el("a", { class: "btn", href: `${basePath}/`, i18n: "class.follow.own_run" })]);
  if (!route.room) {
    const [home] = codeForm("join-home-code", HOME_LABEL, []);
    home.classList.add("join-home");
    home.setAttribute("data-i18n-aria-label", HOME_LABEL);
    home.setAttribute("aria-label", t(HOME_LABEL));
    home.dataset.classroom = "";
    toolbar.prepend(home);
  }
  const box = el("section", { class: "join-failed", i18nLabel: HOME_LABEL, hidden: true }, [message, form]);
  slot.append(box);

  return {
    render(state, previous) {
      if (!route.room || route.mode() !== "follow") return;
      if (state.error === previous.error && state.closeCode === previous.closeCode) return;
      const code = route.room.toUpperCase();
      const isTooMany = state.closeCode === TOO_MANY_TRIES
        || (state.error?.field === "rate" && state.hello === null);
      const isUnknown = state.closeCode === NO_SUCH_ROOM || state.error?.field === "room";
      if (!isTooMany && !isUnknown) return;
      message.textContent = isTooMany
        ? t("class.join.too_often") : t("class.join.unknown", { code });
      const wasHidden = box.hidden;
      box.hidden = false;
      if (wasHidden) input.focus();
    },
  };
}
