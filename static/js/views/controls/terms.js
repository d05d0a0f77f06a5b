// @ts-check
/**
 * Concept terms: every label that names a concept is (or carries) a term button, and one popover shows
 * the term's short definition from `hello.glossary` (lessons/glossary.yaml; the page hard-codes none).
 *
 * A term button is a real <button> (`termButton`), so Tab reaches it and Enter, Space, a click or a tap
 * opens it. One popover serves the whole page, so at most one is open: a non-modal dialog at the end of
 * the body, placed beside its button inside the viewport. It takes focus when it opens; Escape closes it
 * and gives focus back to the button, Tab leaves it for the control after the button, and a tap or click
 * outside closes it. A button with `data-option` also explains the option chosen in that setting (the
 * activation's "Tanh", the cost's "Mean squared error"), looked up by its name in the same glossary.
 */
import { el } from "./dom.js";
import { keyed, t } from "../../i18n.js";

/** The popover's id, named by every term button's aria-controls. */
const POPOVER_ID = "term-popover";
/** Space kept between the popover and the viewport's edges, CSS px. */
const EDGE_MARGIN = 8;
/** Space between a term button and its popover, CSS px. */
const GAP = 6;
/** The popover's words (the definitions themselves come from the server, in lessons/glossary.yaml). */
const TEXT = { close: "terms.close", chosen: "terms.chosen" };
/** Settings whose chosen option is not in `session.config` under its own name. */
const SESSION_VALUES = /** @type {Record<string, (session: any) => unknown>} */ ({
  problem: (session) => session.problem,
});

/**
 * @typedef {{key: string, args?: Record<string, unknown>}} Said a catalogue key and its arguments
 */

/**
 * A term button: `text` on the page, the glossary entry `id` in the popover. A text or name given as a
 * catalogue key (`{key, args}`) is kept on the button, so a change of language re-words it.
 * @param {string} id the glossary id (a term in lower case, e.g. "learning rate")
 * @param {string | Said} text what the page shows
 * @param {string} [option] a setting whose chosen option the popover explains too
 * @param {string | Said} [name] its accessible name, where the text alone would repeat another button's
 *   (it must contain the text: what a voice user says is what they see)
 * @param {string} [definition] its own definition instead of the glossary's: a lesson's concept, in the
 *   lesson's language, which may not be the page's
 * @returns {HTMLButtonElement}
 */
export function termButton(id, text, option, name, definition) {
  const button = /** @type {HTMLButtonElement} */ (el("button", {
    type: "button", class: "term", text: typeof text === "string" ? text : undefined, "data-term": id,
    "data-option": option, "aria-label": typeof name === "string" ? name : undefined, "data-definition": definition,
    i18nLabel: typeof name === "object" ? name.key : undefined,
    "aria-expanded": "false", "aria-controls": POPOVER_ID, "aria-haspopup": "dialog" }));
  if (typeof text === "object") keyed(button, text.key, text.args);
  return button;
}

/** Stands for a term button inside a translated text until the text is split around it. */
const MARK = "\u0001";

/**
 * A text of the catalogue with term buttons inside it, in the page's language: each `buttons` entry
 * stands where the text has its placeholder (`{{gradient}}`), so each language puts it where it belongs.
 * @param {string} key
 * @param {Record<string, Node>} buttons
 * @param {Record<string, unknown>} [args] the text's other arguments
 * @returns {(string | Node)[]} the pieces, for `replaceChildren`
 */
export function withTerms(key, buttons, args = {}) {
  const names = Object.keys(buttons);
  const marks = Object.fromEntries(names.map((name, i) => [name, `${MARK}${i}${MARK}`]));
  const parts = t(key, { ...args, ...marks }).split(MARK);
  return parts.map((part, i) => (i % 2 ? buttons[names[Number(part)]] : part)).filter((part) => part !== "");
}

/**
 * Make a field's visible label (`dom.js` `field`) a term button; the control keeps the label as its name.
 * @param {HTMLElement} root the field's wrapper
 * @param {string} id the glossary id
 * @param {string} [option] a setting whose chosen option the popover explains too
 */
export function markLabel(root, id, option) {
  const label = root.querySelector(":scope > label");
  if (!label) return;
  // The label's catalogue key moves to the button, so a change of language re-words the button, not the label.
  const key = label.getAttribute("data-i18n");
  label.removeAttribute("data-i18n");
  label.replaceChildren(termButton(id, key ? { key } : label.textContent ?? "", option));
}

/**
 * The page's one popover, wired to every term button in the document.
 * @param {HTMLElement} element where the popover lives (the body)
 * @returns {{render: (state: any, previous: any) => void}}
 */
export function createTermsView(element) {
  const title = el("p", { class: "term-popover-title", id: `${POPOVER_ID}-title` });
  const definition = el("p", { class: "term-popover-definition" });
  const choice = el("p", { class: "term-popover-option" });
  const close = el("button", { type: "button", class: "term-popover-close", i18nLabel: TEXT.close, text: "×" });
  const popover = el("div", { class: "term-popover", id: POPOVER_ID, role: "dialog", tabIndex: -1,
                              "aria-labelledby": title.id, hidden: true }, [close, title, definition, choice]);
  element.append(popover);
  /** @type {Record<string, {term: string, definition: string}>} */
  let glossary = {};
  /** @type {any} */
  let session = null;
  /** @type {HTMLElement | null} the open popover's button */
  let trigger = null;

  /** @param {HTMLElement} button */
  function open(button) {
    if (trigger) trigger.setAttribute("aria-expanded", "false");
    trigger = button;
    fill();
    popover.hidden = false;
    button.setAttribute("aria-expanded", "true");
    place();
    popover.focus({ preventScroll: true });
  }

  /** @param {boolean} isReturningFocus */
  function shut(isReturningFocus) {
    if (!trigger) return;
    const button = trigger;
    trigger = null;
    popover.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (isReturningFocus && button.isConnected) button.focus();
  }

  /** The open button's definition, and the chosen option's when it has one. */
  function fill() {
    if (!trigger) return;
    const own = trigger.dataset.definition;
    const entry = own ? { term: trigger.textContent ?? "", definition: own } : glossary[trigger.dataset.term ?? ""];
    title.textContent = entry?.term ?? trigger.textContent ?? "";
    definition.textContent = entry?.definition ?? "";
    popover.lang = /** @type {HTMLElement | null} */ (trigger.closest("[lang]"))?.lang ?? "";  // the words' own language
    const setting = trigger.dataset.option;
    const value = setting && session ? (SESSION_VALUES[setting]?.(session) ?? session.config?.[setting]) : null;
    const chosen = value == null ? undefined : glossary[String(value).toLowerCase()];
    choice.hidden = !chosen || chosen === entry;
    choice.replaceChildren(...(chosen ? [el("strong", { text: t(TEXT.chosen, { term: chosen.term }) }), ` ${chosen.definition}`] : []));
  }

  /** Below the button, or above it when there is no room below; always inside the viewport. */
  function place() {
    if (!trigger) return;
    const anchor = trigger.getBoundingClientRect();
    const { innerWidth: width, innerHeight: height } = window;
    const box = popover.getBoundingClientRect();
    const left = Math.max(EDGE_MARGIN, Math.min(anchor.left, width - box.width - EDGE_MARGIN));
    const below = anchor.bottom + GAP;
    const above = anchor.top - GAP - box.height;
    const top = below + box.height <= height - EDGE_MARGIN || above < EDGE_MARGIN
      ? Math.min(below, height - box.height - EDGE_MARGIN) : above;
    popover.style.left = `${Math.round(left)}px`;
    popover.style.top = `${Math.round(Math.max(EDGE_MARGIN, top))}px`;
  }

  /** Its view drew the open button again: stay open on the new one if it is the only such, else close. */
  function rebind() {
    const old = /** @type {HTMLElement} */ (trigger);
    const same = [...document.querySelectorAll("button.term")].filter((node) =>
      node instanceof HTMLElement && node.dataset.term === old.dataset.term && node.textContent === old.textContent);
    if (same.length !== 1) return shut(false);
    trigger = /** @type {HTMLElement} */ (same[0]);
    trigger.setAttribute("aria-expanded", "true");
    place();
  }

  /** @param {EventTarget | null} target @returns {HTMLElement | null} */
  const termOf = (target) => (target instanceof Element ? target.closest("button.term") : null);

  document.addEventListener("click", (event) => {
    const button = termOf(event.target);
    if (!button) return;
    if (button === trigger) shut(false);
    else open(/** @type {HTMLElement} */ (button));
  });
  // Enter and Space open a term before the page's shortcuts see them (Space plays the run elsewhere).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && trigger) {
      event.preventDefault();
      event.stopPropagation();  // the Escape is the popover's, not an editor's or a dialog's below it
      return shut(true);
    }
    const button = termOf(event.target);
    if (button && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      if (!event.repeat) button === trigger ? shut(true) : open(/** @type {HTMLElement} */ (button));
    }
  }, true);
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && termOf(event.target)) event.preventDefault();  // no second toggle by a click
  }, true);
  // A tap or click anywhere else closes it (and still does what it does there).
  document.addEventListener("pointerdown", (event) => {
    const target = /** @type {Node} */ (event.target);
    if (trigger && !popover.contains(target) && !trigger.contains(target)) shut(false);
  }, true);
  popover.addEventListener("keydown", (event) => {
    if (event.key === "Tab" && trigger) {
      // Back to the button: Shift+Tab stays there, Tab goes on to the control after it.
      if (event.shiftKey) event.preventDefault();
      shut(true);
    }
  });
  close.addEventListener("click", () => shut(true));
  window.addEventListener("resize", place);
  window.addEventListener("scroll", place, { capture: true, passive: true });

  return {
    render(state, previous) {
      if (state.hello !== previous.hello) glossary = state.hello?.glossary ?? {};
      session = state.session;
      if (trigger && !trigger.isConnected) rebind();
      else if (trigger && (state.session !== previous.session || state.hello !== previous.hello)) fill();
    },
  };
}
