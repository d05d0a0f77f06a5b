// @ts-check
/**
 * A small line while the server cannot keep this run's frame rate ("Busy server: 18 frames a
 * second", and "· training keeps its speed" while the server trains the frames it cannot send), from
 * the server's `busy` notices; gone when it keeps up again or the page reconnects.
 */
import { t } from "../../i18n.js";

/** What the line says (its `count` is the frame rate the page gets): "Busy server: 18 frames a second". */
export const BUSY_TEXT = "busy.line";
/** The same while the training keeps the speed asked. */
export const PACED_TEXT = "busy.line_paced";

/** @param {HTMLElement} element */
export function createBusyView(element) {
  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.busyFps === previous.busyFps && state.busyPaced === previous.busyPaced
          && state.language === previous.language) return;
      element.hidden = state.busyFps === null;
      const text = state.busyPaced ? PACED_TEXT : BUSY_TEXT;
      element.textContent = state.busyFps === null ? "" : t(text, { count: state.busyFps });
    },
  };
}
