// @ts-check
/**
 * What the network view points at, and the neuron a click or tap has chosen.
 *
 * The mouse (or the keyboard, or a neuron's focus button, through `point`)
 * points at a neuron, a link or an input. The neuron pointed at, or else the
 * one chosen by click or tap, is the one "Inside one neuron" explains and the
 * server sends maps for: when it changes it goes out as `select_neuron` and
 * into the store's `ui.hoverNeuron`. A chosen neuron stays chosen without
 * hover, and through a new layout while it still exists (`keep`). This module
 * owns that state and the canvas's pointer events; what a point shows (the
 * tooltip, the highlight) and what a click does (the editor, the sheet) are
 * the view's, through `onPoint` and `onClick`.
 */
import { commands } from "../../protocol.js";
import { hitTest } from "./hit.js";

/**
 * @typedef {import("./draw.js").Hit} Hit
 * @typedef {import("../../messages.js").State} State
 */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{store: {get: () => State, update: (patch: Partial<State>) => void},
 *   send: (command: import("../../protocol.js").Command) => void,
 *   getLayout: () => import("./layout.js").Layout | null,
 *   isBusy: () => boolean,
 *   onPoint: (hit: Hit | null, clientX: number, clientY: number, isSame: boolean) => void,
 *   onClick: (hit: Hit | null, event: PointerEvent) => void}} handlers
 *   `isBusy`: the editor or the sheet is open, so moving the mouse points at nothing new;
 *   `onClick`: after the click chose (or let go of) a neuron
 */
export function createPointing(canvas, { store, send, getLayout, isBusy, onPoint, onClick }) {
  /** @type {Hit | null} */
  let hover = null;
  let pointer = { x: 0, y: 0 };
  /** @type {[number, number] | null} the neuron chosen by click or tap: it stays chosen without hover */
  let pinned = null;
  /** The neuron last sent to the server, as JSON. */
  let sentNeuron = "null";

  /**
   * Point at something (or nothing): the view shows it, the server and the store follow the neuron.
   * @param {Hit | null} hit
   * @param {number} clientX @param {number} clientY
   */
  function point(hit, clientX = 0, clientY = 0) {
    const isSame = JSON.stringify(hit) === JSON.stringify(hover);
    hover = hit;
    pointer = { x: clientX, y: clientY };
    canvas.style.cursor = hit ? "pointer" : "";
    const neuron = hit && hit.kind === "neuron" ? [hit.layer, hit.index] : pinned;
    const neuronKey = JSON.stringify(neuron);
    if (neuronKey !== sentNeuron) {
      sentNeuron = neuronKey;
      send(commands.selectNeuron(neuron ? neuron[0] : null, neuron ? neuron[1] : null));
      store.update({ ui: { ...store.get().ui, hoverNeuron: /** @type {[number, number] | null} */ (neuron) } });
    }
    onPoint(hit, clientX, clientY, isSame);
  }

  /**
   * A click or tap on a neuron chooses it: "Inside one neuron" and the big map stay on it
   * without hover (it is still edited as before); a click on nothing lets it go.
   * @param {Hit | null} hit
   * @param {PointerEvent} event a tap leaves no hover (and no tooltip) behind
   */
  function choose(hit, event) {
    if (hit && hit.kind !== "neuron") return;
    pinned = hit?.kind === "neuron" && hit.layer > 0 ? [hit.layer, hit.index] : null;
    point(event.pointerType === "touch" ? null : hit, event.clientX, event.clientY);
  }

  /** @param {PointerEvent} event */
  function hitAt(event) {
    const layout = getLayout();
    const box = canvas.getBoundingClientRect();
    return layout ? hitTest(layout, event.clientX - box.left, event.clientY - box.top) : null;
  }

  canvas.addEventListener("pointermove", (event) => {
    if (!isBusy()) point(hitAt(event), event.clientX, event.clientY);
  });
  canvas.addEventListener("pointerleave", () => { if (!isBusy()) point(null); });
  canvas.addEventListener("click", (event) => {
    const hit = hitAt(/** @type {PointerEvent} */ (event));
    choose(hit, /** @type {PointerEvent} */ (event));
    onClick(hit, /** @type {PointerEvent} */ (event));
  });

  return {
    /** @returns {Hit | null} what is pointed at */
    get hover() { return hover; },
    /** @returns {{x: number, y: number}} where, in client coordinates */
    get pointer() { return pointer; },
    point,
    /**
     * After a new layout: keep the chosen neuron if the network still has it (same layer and
     * index), else let it go. Docking the neuron panel narrows the network, and the panel
     * must go on explaining the same neuron.
     * @param {number[]} sizes the new layer sizes
     */
    keep(sizes) {
      if (pinned && !(pinned[0] < sizes.length && pinned[1] < sizes[pinned[0]])) pinned = null;
    },
  };
}
