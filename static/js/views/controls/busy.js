// @ts-check
/**
 * A small line while the server cannot keep this run's frame rate ("Busy server: 18 frames a
 * second"), from the server's `busy` notices; gone when it keeps up again or the page reconnects.
 */

/** What the line says; `fps` is the frame rate the page gets. */
export const BUSY_TEXT = (/** @type {number} */ fps) => `Busy server: ${fps} frames a second`;

/** @param {HTMLElement} element */
export function createBusyView(element) {
  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.busyFps === previous.busyFps) return;
      element.hidden = state.busyFps === null;
      element.textContent = state.busyFps === null ? "" : BUSY_TEXT(state.busyFps);
    },
  };
}
