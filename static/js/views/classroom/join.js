// @ts-check
/**
 * A /join/CODE page whose code no class has (the server answers an `error`
 * with field `room` and closes with 4404), or from an address that tried too
 * many wrong codes (4429): say so, and offer a field to type another code.
 */
import { el } from "../controls/dom.js";

/** Close code: no class has that code. */
const NO_SUCH_ROOM = 4404;
/** Close code: too many wrong codes from this address. */
const TOO_MANY_TRIES = 4429;
/** Longest code a learner may type (codes are six characters; spaces and dashes are dropped). */
const MAX_CODE_LENGTH = 12;

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * @param {HTMLElement} slot
 * @param {{basePath: string, route: import("../../route.js").Route}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createJoin(slot, { basePath, route }) {
  const message = el("p", { class: "join-message", role: "alert" });
  const input = el("input", { type: "text", class: "join-input", id: "join-code", autocomplete: "off",
    spellcheck: false, maxLength: MAX_CODE_LENGTH, autocapitalize: "characters", required: true });
  const form = el("form", { class: "join-form" }, [
    el("label", { for: "join-code", text: "Class code" }), input,
    el("button", { type: "submit", class: "btn btn-primary", text: "Join" }),
    el("a", { class: "btn", href: `${basePath}/`, text: "Start your own run" }),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.replace(/[\s-]/g, "").toUpperCase();
    if (code) location.assign(`${basePath}/join/${encodeURIComponent(code)}`);
  });
  const box = el("section", { class: "join-failed", "aria-label": "Join a class", hidden: true }, [message, form]);
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
        ? "Too many wrong class codes from this address. Wait a minute, then type the code again."
        : `No class has the code ${code}. It may have ended, or a character may be mistyped: type the code again.`;
      const wasHidden = box.hidden;
      box.hidden = false;
      if (wasHidden) input.focus();
    },
  };
}
