// @ts-check
/**
 * A keyboard path to every weight and bias. The network canvas takes focus;
 * the arrow keys walk its parameters and Enter opens the same editor a click
 * opens. The walk goes weight layer by weight layer and, within one, target
 * neuron by target neuron: its incoming weights, source by source, then its
 * bias. PageDown and PageUp jump a weight layer, Home and End to the ends.
 * This module counts positions and listens to the keys (`createKeyboardWalk`);
 * the view shows and edits them.
 */
import { biasRect, linkCurve } from "./layout.js";

/** What the canvas tells assistive technology about its keys. */
export const KEYBOARD_HELP = "network.keyboard_help";

/**
 * @typedef {import("./draw.js").Hit} Hit
 * @typedef {import("./layout.js").Layout} Layout
 */

/**
 * Every weight and bias, in walking order.
 * @param {number[]} sizes neurons per layer, inputs first
 * @returns {Hit[]}
 */
export function parameters(sizes) {
  /** @type {Hit[]} */
  const items = [];
  for (let layer = 0; layer < sizes.length - 1; layer++) {
    for (let target = 0; target < sizes[layer + 1]; target++) {
      for (let source = 0; source < sizes[layer]; source++) items.push({ kind: "link", layer, source, target });
      items.push({ kind: "neuron", layer: layer + 1, index: target });
    }
  }
  return items;
}

/**
 * The weight layer a parameter belongs to (a bias of layer l + 1 belongs to weight layer l).
 * @param {Hit} item
 */
function weightLayer(item) {
  return item.kind === "neuron" ? item.layer - 1 : item.kind === "link" ? item.layer : -1;
}

/**
 * Where `key` moves from position `index` (−1: nowhere yet), or null when the key is no move.
 * @param {Hit[]} items
 * @param {number} index
 * @param {string} key
 * @returns {number | null}
 */
export function move(items, index, key) {
  const last = items.length - 1;
  const here = items[index];
  const startOf = (/** @type {number} */ layer) => items.findIndex((item) => weightLayer(item) === layer);
  switch (key) {
    case "ArrowDown": case "ArrowRight": return index < 0 ? 0 : Math.min(last, index + 1);
    case "ArrowUp": case "ArrowLeft": return index < 0 ? 0 : Math.max(0, index - 1);
    case "Home": return 0;
    case "End": return last;
    case "PageDown": {
      const next = here ? startOf(weightLayer(here) + 1) : 0;
      return next < 0 ? index : next;
    }
    case "PageUp": return here ? Math.max(0, startOf(Math.max(0, weightLayer(here) - 1))) : 0;
    default: return null;
  }
}

/**
 * Where a parameter is drawn, canvas CSS px: the middle of a link, the centre of a bias marker.
 * @param {Layout} layout
 * @param {Hit} item
 * @returns {[number, number]}
 */
export function anchor(layout, item) {
  if (item.kind === "link") {
    const [x0, y0, , x1, y1] = linkCurve(layout, item.layer, item.source, item.target);
    return [(x0 + x1) / 2, (y0 + y1) / 2];  // the curve is symmetric about its middle
  }
  if (item.kind === "neuron") {
    const [x, y, width, height] = biasRect(layout, layout.neurons[item.layer][item.index]);
    return [x + width / 2, y + height / 2];
  }
  return [0, 0];
}

/**
 * Walk the parameters with the keys while `canvas` has focus.
 * @param {HTMLCanvasElement} canvas
 * @param {{getLayout: () => Layout | null,
 *   onPoint: (item: Hit, x: number, y: number) => void,
 *   onEnter: (item: Hit, x: number, y: number) => void,
 *   onLeave: () => void}} handlers (x, y): the item's anchor, canvas CSS px; `onLeave`: focus left the canvas
 * @returns {{reset: (sizes: number[]) => void}} `reset`: a new shape, the walk starts again
 */
export function createKeyboardWalk(canvas, { getLayout, onPoint, onEnter, onLeave }) {
  /** @type {Hit[]} */
  let items = [];
  let index = -1;
  canvas.addEventListener("keydown", (event) => {
    const layout = getLayout();
    if (!layout || event.altKey || event.ctrlKey || event.metaKey) return;
    const current = items[index];
    if (event.key === "Enter" && current) {
      event.preventDefault();
      onEnter(current, ...anchor(layout, current));
      return;
    }
    const next = move(items, index, event.key);
    if (next === null) return;
    event.preventDefault();  // the page's own shortcuts (→ steps) stay out of it
    index = next;
    onPoint(items[next], ...anchor(layout, items[next]));
  });
  canvas.addEventListener("blur", () => queueMicrotask(() => {
    if (document.activeElement !== canvas) onLeave();
  }));
  return {
    reset(sizes) {
      items = parameters(sizes);
      index = -1;
    },
  };
}
