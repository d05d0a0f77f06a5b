// @ts-check
/**
 * Paints one frame of the network onto its canvas: links coloured by sign
 * and sized by magnitude (weights, or gradients scaled by the frame's
 * largest), then every neuron's server-computed map as a thumbnail with its
 * bias marker, then the hover and selection outlines, the neurons a
 * diagnosis names (dead, saturated, copies) and, under each weight layer, the
 * server's mean |dC/dw| of that layer (`frame.header.grad_norms`).
 *
 * Links are grouped by quantised colour and width, so the largest network
 * (about 2,100 links) costs one stroke per group instead of one per link.
 */
import { DIVERGING_TABLE, THEME, diverging, rgb } from "../../lib/colors.js";
import { drawMap } from "../../lib/canvas.js";
import { formatNumber } from "../../lib/format.js";
import { biasRect, clamp, linkCurve } from "./layout.js";
import { biasAt, mapOf, weightAt } from "./frame.js";

/** Colour steps per sign when grouping links; more steps, more strokes. */
const COLOR_LEVELS = 24;
/** Width steps per CSS px when grouping links. */
const WIDTH_STEPS_PER_PX = 4;
/** Thinnest link, px. */
const MIN_LINK_WIDTH = 0.5;
/** Link width per unit of |weight|, px (then clamped to the layout's maximum). */
const WIDTH_PER_WEIGHT = 1.2;
/** |weight| or |bias| that gets the full colour; the legend's ends. */
export const VALUE_SCALE = 1;
/** Faintest colour a non-zero link gets, as a share of the full colour, so no link vanishes. */
const COLOR_FLOOR = 0.18;
/** Extra width of the outline around a hovered link, px. */
const HOVER_HALO = 3;
/** Outline width of a hovered or selected neuron, px. */
const FOCUS_WIDTH = 2;
/** Dash pattern of the outline around a neuron a diagnosis names, px. */
const FLAGGED_DASH = [4, 3];
/** Font size of the gradient-size row, px. */
const GRADIENT_FONT = 11;
/** What the gradient-size row shows, written left of its numbers. */
const GRADIENT_LABEL = "|dC/dw|";
/** Dash pattern of an inactive input's empty square, px. */
const INACTIVE_DASH = [3, 3];

/** Stroke colour per colour level, −COLOR_LEVELS..COLOR_LEVELS (index + COLOR_LEVELS). */
const LEVEL_COLORS = Array.from({ length: 2 * COLOR_LEVELS + 1 }, (_, k) => {
  const level = k - COLOR_LEVELS;
  if (level === 0) return THEME["--line"];
  const share = Math.max(COLOR_FLOOR, Math.abs(level) / COLOR_LEVELS);
  return rgb(diverging(Math.sign(level) * share));
});

/**
 * @typedef {import("./layout.js").Layout} Layout
 * @typedef {import("./frame.js").Offsets} Offsets
 * @typedef {{kind: "link", layer: number, source: number, target: number}
 *   | {kind: "neuron", layer: number, index: number}
 *   | {kind: "input", slot: number}} Hit
 * @typedef {{showGradients: boolean, gradientScale: number, hover: Hit | null,
 *   selected: [number, number] | null}} DrawOptions
 */

/**
 * Colour level and width of one link value.
 * @param {number} value weight, or gradient
 * @param {Layout} layout
 * @param {DrawOptions} options
 * @returns {[number, number]} level in −COLOR_LEVELS..COLOR_LEVELS, width in px
 */
function linkStyle(value, layout, options) {
  const share = options.showGradients
    ? (options.gradientScale > 0 ? value / options.gradientScale : 0)
    : value / VALUE_SCALE;
  const level = Math.round(clamp(share, -1, 1) * COLOR_LEVELS);
  const width = options.showGradients
    ? Math.abs(share) * layout.maxLinkWidth
    : Math.abs(value) * WIDTH_PER_WEIGHT;
  return [level, clamp(width, MIN_LINK_WIDTH, layout.maxLinkWidth)];
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Layout} layout
 * @param {any} frame
 * @param {Offsets} offsets
 * @param {DrawOptions} options
 */
export function drawNetwork(context, layout, frame, offsets, options) {
  context.clearRect(0, 0, layout.width, layout.height);
  drawLinks(context, layout, frame, offsets, options);
  drawNeurons(context, layout, frame, offsets, options);
  drawFlagged(context, layout, frame.header.diagnoses ?? []);
  drawGradientSizes(context, layout, frame.header.grad_norms ?? []);
}

/**
 * A dashed warning outline around every neuron a diagnosis names.
 * @param {CanvasRenderingContext2D} context @param {Layout} layout @param {any[]} diagnoses
 */
function drawFlagged(context, layout, diagnoses) {
  context.save();
  context.setLineDash(FLAGGED_DASH);
  for (const finding of diagnoses) {
    for (const [layer, index] of finding.neurons) outline(context, layout, layer, index, THEME["--warn"]);
  }
  context.restore();
}

/**
 * The mean |dC/dw| of each weight layer, centred under the links it belongs to.
 * @param {CanvasRenderingContext2D} context @param {Layout} layout @param {number[]} sizes
 */
function drawGradientSizes(context, layout, sizes) {
  if (sizes.length !== layout.sizes.length - 1) return;
  // Scaled with the labels (projector mode: at least 18 px on a wall).
  const fontPx = GRADIENT_FONT * layout.scale;
  context.canvas.dataset.gradientFontPx = String(fontPx);
  context.font = `${fontPx}px ${getComputedStyle(context.canvas).fontFamily}`;
  context.fillStyle = THEME["--muted"];
  context.textBaseline = "middle";
  context.textAlign = "left";
  context.fillText(GRADIENT_LABEL, 0, layout.gradientY);
  context.textAlign = "center";
  sizes.forEach((size, layer) => {
    const x = (layout.columnX[layer] + layout.thumb + layout.columnX[layer + 1]) / 2;
    context.fillText(formatNumber(size, 2), x, layout.gradientY);
  });
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Layout} layout
 * @param {any} frame
 * @param {Offsets} offsets
 * @param {DrawOptions} options
 */
function drawLinks(context, layout, frame, offsets, options) {
  const values = options.showGradients ? frame.arrays.weight_grads : frame.arrays.weights;
  const { sizes } = layout;
  /** @type {Map<number, number[]>} group key → flat curve coordinates */
  const groups = new Map();
  for (let layer = 0; layer < sizes.length - 1; layer++) {
    for (let source = 0; source < sizes[layer]; source++) {
      for (let target = 0; target < sizes[layer + 1]; target++) {
        const value = weightAt(values, offsets, sizes, layer, source, target);
        const [level, width] = linkStyle(value, layout, options);
        const key = Math.round(width * WIDTH_STEPS_PER_PX) * (2 * COLOR_LEVELS + 1) + level + COLOR_LEVELS;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = []));
        group.push(...linkCurve(layout, layer, source, target));
      }
    }
  }
  context.lineCap = "round";
  // Thin links first, so the strong ones stay on top.
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const colorIndex = key % (2 * COLOR_LEVELS + 1);
    context.strokeStyle = LEVEL_COLORS[colorIndex];
    context.lineWidth = Math.floor(key / (2 * COLOR_LEVELS + 1)) / WIDTH_STEPS_PER_PX;
    strokeCurves(context, /** @type {number[]} */ (groups.get(key)));
  }
  const hover = options.hover;
  if (hover && hover.kind === "link") {
    const value = weightAt(values, offsets, sizes, hover.layer, hover.source, hover.target);
    const [level, width] = linkStyle(value, layout, options);
    const curve = linkCurve(layout, hover.layer, hover.source, hover.target);
    context.strokeStyle = THEME["--ink"];
    context.lineWidth = width + HOVER_HALO;
    strokeCurves(context, curve);
    context.strokeStyle = LEVEL_COLORS[level + COLOR_LEVELS];
    context.lineWidth = width;
    strokeCurves(context, curve);
  }
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {number[]} curves flat (x0, y0, xm, x1, y1) per curve
 */
function strokeCurves(context, curves) {
  context.beginPath();
  for (let k = 0; k < curves.length; k += 5) {
    const x0 = curves[k], y0 = curves[k + 1], xm = curves[k + 2], x1 = curves[k + 3], y1 = curves[k + 4];
    context.moveTo(x0, y0);
    context.bezierCurveTo(xm, y0, xm, y1, x1, y1);
  }
  context.stroke();
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Layout} layout
 * @param {any} frame
 * @param {Offsets} offsets
 * @param {DrawOptions} options
 */
function drawNeurons(context, layout, frame, offsets, options) {
  const { thumb, sizes } = layout;
  const size = frame.header.thumb_size;
  const biases = options.showGradients ? frame.arrays.bias_grads : frame.arrays.biases;
  const biasScale = options.showGradients ? options.gradientScale || 1 : VALUE_SCALE;
  context.lineWidth = 1;
  context.strokeStyle = THEME["--line"];
  context.setLineDash(INACTIVE_DASH);
  for (const slot of layout.inputs) {
    if (slot.isActive) continue;
    context.fillStyle = THEME["--canvas"];
    context.fillRect(slot.x, slot.y, thumb, thumb);
    context.strokeRect(slot.x + 0.5, slot.y + 0.5, thumb - 1, thumb - 1);
  }
  context.setLineDash([]);
  for (let layer = 0; layer < sizes.length; layer++) {
    layout.neurons[layer].forEach((neuron, index) => {
      drawMap(context, mapOf(frame, offsets, layer, index), size, DIVERGING_TABLE, neuron.x, neuron.y, thumb, thumb);
      context.strokeStyle = THEME["--line"];
      context.lineWidth = 1;
      context.strokeRect(neuron.x + 0.5, neuron.y + 0.5, thumb - 1, thumb - 1);
      if (layer === 0) return;
      const value = biasAt(biases, offsets, layer, index);
      const [x, y, w, h] = biasRect(layout, neuron);
      context.fillStyle = rgb(diverging(value / biasScale));
      context.fillRect(x, y, w, h);
      context.strokeStyle = THEME["--muted"];
      context.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    });
  }
  const hover = options.hover;
  if (hover && hover.kind === "neuron") outline(context, layout, hover.layer, hover.index, THEME["--ink"]);
  if (options.selected) outline(context, layout, options.selected[0], options.selected[1], THEME["--accent"]);
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Layout} layout
 * @param {number} layer @param {number} index
 * @param {string} color
 */
function outline(context, layout, layer, index, color) {
  const neuron = layout.neurons[layer]?.[index];
  if (!neuron) return;
  context.strokeStyle = color;
  context.lineWidth = FOCUS_WIDTH;
  context.strokeRect(neuron.x - 1, neuron.y - 1, layout.thumb + 2, layout.thumb + 2);
}
