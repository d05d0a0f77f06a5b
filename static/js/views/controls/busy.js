// @ts-check
/**
 * A small line while the server cannot keep this run's frame rate ("Busy server: 18 frames a
 * second"), from the server's `busy` notices; gone when it keeps up again or the page reconnects.
 */
import { t } from "../../i18n.js";

/** What the line says (its `count` is the frame rate the page gets): "Busy server: 18 frames a second". */
export const BUSY_TEXT = "busy.line";

/** @param {HTMLElement} element */
export function createBusyView(element) {
  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.busyFps === previous.busyFps && state.language === previous.language) return;
      element.hidden = state.busyFps === null;
      element.textContent = state.busyFps === null ? "" : t(BUSY_TEXT, { count: state.busyFps });
    },
  };
}
