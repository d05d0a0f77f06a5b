// @ts-check
/**
 * Tells the server what the page shows, with the `view` command: whether the page is in view (a
 * hidden tab needs no output plane) and whether the network drawing with its neuron maps is on
 * screen (scrolled away on a phone, or hidden: no maps). Sent when either changes and again on
 * every new connection (the server's run may remember an older view). The server then leaves
 * those arrays out of its frames, and the page keeps its last ones (protocol.js `keepArrays`).
 */
import { commands } from "../../protocol.js";

/**
 * @param {HTMLElement} element the network drawing
 * @param {{send: (command: import("../../protocol.js").Command) => boolean}} context
 */
export function createVisibilityView(element, context) {
  let isOnScreen = true;
  let sent = "";
  const tell = () => {
    const isVisible = document.visibilityState !== "hidden";
    const key = `${isVisible} ${isOnScreen}`;
    if (key !== sent && context.send(commands.view(isVisible, isOnScreen))) sent = key;
  };
  new IntersectionObserver((entries) => {
    isOnScreen = entries[entries.length - 1].isIntersecting;
    tell();
  }).observe(element);
  document.addEventListener("visibilitychange", tell);
  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.hello && state.hello !== previous.hello) {
        sent = "";
        tell();
      }
    },
  };
}
