// @ts-check
/**
 * Projector mode, for a run shown on a wall: large type, the network and the
 * output filling the screen, the secondary panels folded away, and, while a
 * class is open, its join code and QR code large in a corner. This module
 * only toggles a body class (from the button or `#projector=1`, see
 * lib/url.js) and fills the corner (code, QR, how many watch, End class:
 * the presenter panel is folded away on a wall); static/css/classroom.css
 * does the layout.
 */
import { button, el } from "../controls/dom.js";
import { t } from "../../i18n.js";
import { endClassButton, isPresenting, watchingText } from "./presenter.js";

/** The body class that turns projector mode on. */
const PROJECTOR_CLASS = "is-projector";

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * @param {HTMLElement} toolbar the #tools toolbar, for the toggle
 * @param {HTMLElement} slot where the corner goes
 * @param {{store: any, basePath: string, send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createProjector(toolbar, slot, { store, basePath, send }) {
  const toggle = button("class.projector.button", "class.projector.button_help",
    () => {
      const ui = store.get().ui;
      store.update({ ui: { ...ui, projector: !ui.projector } });
    });
  toggle.setAttribute("aria-pressed", "false");
  toggle.dataset.classroom = "";
  toolbar.append(toggle);

  const code = el("strong", { class: "corner-code" });
  const qr = el("img", { class: "corner-qr", alt: t("class.present.qr") });
  const watching = el("p", { class: "corner-watching watching", "aria-live": "polite" });
  const end = endClassButton(send);
  const corner = el("aside", { class: "projector-corner", i18nLabel: "class.projector.label", hidden: true }, [
    el("span", { class: "corner-label", i18n: "class.projector.join" }), code, qr, watching, end,
  ]);
  slot.append(corner);

  return {
    render(state, previous) {
      const isOn = state.ui.projector;
      if (isOn !== previous.ui.projector || !toggle.dataset.drawn) {
        toggle.dataset.drawn = "";
        toggle.setAttribute("aria-pressed", String(isOn));
        document.body.classList.toggle(PROJECTOR_CLASS, isOn);
      }
      if (state.room === previous.room && state.language === previous.language) return;
      const room = state.room;
      corner.hidden = !room?.is_open;
      if (!room?.is_open) return;
      code.textContent = room.code;
      qr.src = `${basePath}${room.qr_path}`;
      watching.textContent = watchingText(room);
      // Only the presenter's own page (not a follower's wall) can end the class.
      end.hidden = !isPresenting(state);
    },
  };
}
