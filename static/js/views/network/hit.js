// @ts-check
/**
 * What is under a point of the network canvas: a neuron square (or its bias
 * marker), an input slot, or a link. Links are found by sampling their curve
 * and measuring the distance to each short segment, only in the gap between
 * the two columns the point lies in.
 */
import { biasRect, linkCurve } from "./layout.js";

/** How far from a link's centre line a point still hits it, CSS px. */
const LINK_TOLERANCE = 4;
/** Straight segments per link curve when hit-testing. */
const CURVE_SEGMENTS = 24;

/**
 * @typedef {import("./layout.js").Layout} Layout
 * @typedef {import("./draw.js").Hit} Hit
 */

/**
 * @param {Layout} layout
 * @param {number} x CSS px in canvas coordinates
 * @param {number} y
 * @returns {Hit | null}
 */
export function hitTest(layout, x, y) {
  const { thumb } = layout;
  /** @param {number} left @param {number} top @param {number} width @param {number} height */
  const inside = (left, top, width, height) => x >= left && x <= left + width && y >= top && y <= top + height;
  for (let slot = 0; slot < layout.inputs.length; slot++) {
    const input = layout.inputs[slot];
    if (!input.isActive && inside(input.x, input.y, thumb, thumb)) return { kind: "input", slot };
  }
  for (let layer = 0; layer < layout.neurons.length; layer++) {
    for (let index = 0; index < layout.neurons[layer].length; index++) {
      const neuron = layout.neurons[layer][index];
      if (inside(neuron.x, neuron.y, thumb, thumb)) return { kind: "neuron", layer, index };
      if (layer > 0 && inside(...biasRect(layout, neuron))) return { kind: "neuron", layer, index };
    }
  }
  return hitLink(layout, x, y);
}

/**
 * The link nearest to (x, y) within the tolerance, if any.
 * @param {Layout} layout
 * @param {number} x @param {number} y
 * @returns {Hit | null}
 */
function hitLink(layout, x, y) {
  const layer = layout.columnX.findIndex((left, k) => k < layout.columnX.length - 1
    && x >= left + layout.thumb && x <= layout.columnX[k + 1]);
  if (layer < 0) return null;
  /** @type {Hit | null} */
  let best = null;
  let bestDistance = LINK_TOLERANCE;
  for (let source = 0; source < layout.sizes[layer]; source++) {
    for (let target = 0; target < layout.sizes[layer + 1]; target++) {
      const distance = curveDistance(linkCurve(layout, layer, source, target), x, y);
      if (distance <= bestDistance) {
        bestDistance = distance;
        best = { kind: "link", layer, source, target };
      }
    }
  }
  return best;
}

/**
 * Distance from (px, py) to the curve, through CURVE_SEGMENTS straight pieces.
 * @param {[number, number, number, number, number]} curve x0, y0, xm, x1, y1
 * @param {number} px @param {number} py
 */
function curveDistance([x0, y0, xm, x1, y1], px, py) {
  // Quick reject: the curve stays between its end heights.
  if (py < Math.min(y0, y1) - LINK_TOLERANCE || py > Math.max(y0, y1) + LINK_TOLERANCE) return Infinity;
  let best = Infinity;
  let ax = x0;
  let ay = y0;
  for (let k = 1; k <= CURVE_SEGMENTS; k++) {
    const t = k / CURVE_SEGMENTS;
    const u = 1 - t;
    const bx = u * u * u * x0 + 3 * u * t * (u + t) * xm + t * t * t * x1;
    const by = (u * u * u + 3 * u * u * t) * y0 + (3 * u * t * t + t * t * t) * y1;
    best = Math.min(best, segmentDistance(px, py, ax, ay, bx, by));
    ax = bx;
    ay = by;
  }
  return best;
}

/**
 * @param {number} px @param {number} py
 * @param {number} ax @param {number} ay @param {number} bx @param {number} by
 */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSquared)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
