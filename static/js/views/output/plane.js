// @ts-check
/**
 * Painting the output plane: the server's boundary grid, the data points,
 * the selected sample's ring, axis ticks and the hover crosshair. Also the
 * geometry between plane coordinates (x1, x2) and canvas pixels, and the
 * hit test for clicks. No DOM beyond the 2-D context it is handed.
 */
import {
  BOUNDARY_TABLE, DISCRETE_TABLE, THEME, classCell, classColor, diverging, rgb,
} from "../../lib/colors.js";
import { drawCells, drawMap } from "../../lib/canvas.js";
import { formatTick } from "../../lib/format.js";

/** Room left of the plot for the x2 tick labels, CSS px. */
const LEFT_AXIS = 24;
/** Room right of the plot so the last x1 label is not clipped, CSS px. */
const RIGHT_PAD = 8;
/** Room above the plot so the top x2 label is not clipped, CSS px. */
const TOP_PAD = 7;
/** Room below the plot for the x1 tick labels, CSS px. */
const BOTTOM_AXIS = 18;
/** Radius of a data point, CSS px. */
const POINT_RADIUS = 3.75;
/** Dark outline of every point, CSS px: the full-colour fill stands out on the pale boundary. */
const POINT_STROKE = 1;
/** A test point's white ring between its fill and its dark outline, CSS px: train and test read apart. */
const TEST_RING = 1.75;
/** Radius of the ring around the selected sample, CSS px. */
const RING_RADIUS = 8;
/** Width of that ring, CSS px. */
const RING_WIDTH = 2.5;
/** Tick mark length, CSS px. */
const TICK_LENGTH = 4;
/** Axis label font size, CSS px. */
const LABEL_SIZE = 11;
/** Where along an axis its name sits (share of the plot side from the low end). */
const AXIS_NAME_AT = 0.75;
/** Opacity of the hover crosshair. */
const CROSSHAIR_ALPHA = 0.45;
/** Dash and gap of the hover crosshair, CSS px. */
const CROSSHAIR_DASH = [3, 3];

/**
 * @typedef {{left: number, top: number, side: number, extent: number, width: number, height: number,
 *            fontPx: number}} Geometry
 * @typedef {{x: number, y: number, part: "train"|"test", index: number, label: number}} ScreenPoint
 */

/**
 * Plot placement for a container `width` CSS px wide.
 * @param {number} width
 * @param {number} extent the plane spans [−extent, extent] on both axes
 * @param {number} [scale] how much larger the labels and the room for them are (projector mode)
 * @returns {Geometry}
 */
export function layoutPlane(width, extent, scale = 1) {
  const left = Math.round(LEFT_AXIS * scale);
  const top = Math.round(TOP_PAD * scale);
  const right = Math.round(RIGHT_PAD * scale);
  const side = Math.max(1, Math.floor(width - left - right));
  return { left, top, side, extent, width: left + side + right,
           height: top + side + Math.round(BOTTOM_AXIS * scale), fontPx: LABEL_SIZE * scale };
}

/**
 * The widest container whose plane is at most `height` CSS px tall (a plane that must fit a screen).
 * @param {number} height @param {number} [scale]
 */
export function widthForHeight(height, scale = 1) {
  const plot = height - Math.round(TOP_PAD * scale) - Math.round(BOTTOM_AXIS * scale);
  return Math.max(1, plot) + Math.round(LEFT_AXIS * scale) + Math.round(RIGHT_PAD * scale);
}

/** @param {Geometry} g @param {number} x1 @param {number} x2 @returns {[number, number]} */
export function toPixel(g, x1, x2) {
  return [g.left + ((x1 + g.extent) / (2 * g.extent)) * g.side, g.top + ((g.extent - x2) / (2 * g.extent)) * g.side];
}

/** @param {Geometry} g @param {number} x @param {number} y @returns {[number, number]} */
export function toPlane(g, x, y) {
  return [((x - g.left) / g.side) * 2 * g.extent - g.extent, g.extent - ((y - g.top) / g.side) * 2 * g.extent];
}

/** @param {Geometry} g @param {number} x @param {number} y */
export function isInside(g, x, y) {
  return x >= g.left && x <= g.left + g.side && y >= g.top && y <= g.top + g.side;
}

/**
 * The grid cell under a pixel (row-major, row 0 at the top).
 * @param {Geometry} g @param {number} x @param {number} y @param {number} gridSize
 */
export function cellAt(g, x, y, gridSize) {
  const column = Math.min(gridSize - 1, Math.max(0, Math.floor(((x - g.left) / g.side) * gridSize)));
  const row = Math.min(gridSize - 1, Math.max(0, Math.floor(((y - g.top) / g.side) * gridSize)));
  return row * gridSize + column;
}

/**
 * The dataset's points in pixels: training points, then test points when shown.
 * @param {Geometry} g
 * @param {import("../../protocol.js").BinaryMessage} dataset
 * @param {boolean} withTest
 * @returns {ScreenPoint[]}
 */
export function screenPoints(g, dataset, withTest) {
  const { points, labels } = dataset.arrays;
  const nTrain = dataset.header.n_train;
  const count = withTest ? labels.length : nTrain;
  /** @type {ScreenPoint[]} */
  const out = [];
  for (let i = 0; i < count; i++) {
    const [x, y] = toPixel(g, points[2 * i], points[2 * i + 1]);
    const isTrain = i < nTrain;
    out.push({ x, y, part: isTrain ? "train" : "test", index: isTrain ? i : i - nTrain, label: labels[i] });
  }
  return out;
}

/**
 * The point nearest to (x, y) within `radius` pixels, or null.
 * @param {ScreenPoint[]} points @param {number} x @param {number} y @param {number} radius
 */
export function nearestPoint(points, x, y, radius) {
  let best = null;
  let bestDistance = radius * radius;
  for (const point of points) {
    const distance = (point.x - x) ** 2 + (point.y - y) ** 2;
    if (distance <= bestDistance) {
      best = point;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Paint the boundary (or a neuron's map) into the plot square.
 * @param {CanvasRenderingContext2D} context
 * @param {Geometry} g
 * @param {{frame: any, problem: string, nClasses: number, isDiscrete: boolean, neuronMap: Uint8Array|null}} scene
 */
export function drawBackground(context, g, { frame, problem, nClasses, isDiscrete, neuronMap }) {
  const size = frame.header.grid_size;
  const { output, output_confidence: confidence } = frame.arrays;
  if (neuronMap) {
    drawMap(context, neuronMap, size, BOUNDARY_TABLE, g.left, g.top, g.side, g.side);
  } else if (problem === "multiclass" && confidence) {
    const colorOf = (/** @type {number} */ i) => classCell(output[i], confidence[i] / 255, nClasses, isDiscrete);
    drawCells(context, size, colorOf, g.left, g.top, g.side, g.side);
  } else {
    // Smoothing also softens the discrete map's cell staircase into a clean edge.
    drawMap(context, output, size, isDiscrete ? DISCRETE_TABLE : BOUNDARY_TABLE, g.left, g.top, g.side, g.side);
  }
  context.strokeStyle = THEME["--line"];
  context.lineWidth = 1;
  context.strokeRect(g.left - 0.5, g.top - 0.5, g.side + 1, g.side + 1);
}

/**
 * The colour a data point is filled with.
 * @param {number} label class index, or the target for regression
 * @param {string} problem @param {number} nClasses
 */
function pointFill(label, problem, nClasses) {
  return rgb(problem === "regression" ? diverging(label) : classColor(label, nClasses));
}

/**
 * Data points, filled with their class colour (or target colour) and outlined in ink; a test
 * point also carries a white ring inside its outline, so the two parts read apart on any colour.
 * @param {CanvasRenderingContext2D} context
 * @param {ScreenPoint[]} points
 * @param {string} problem @param {number} nClasses
 */
export function drawPoints(context, points, problem, nClasses) {
  context.strokeStyle = THEME["--ink"];
  for (const point of points) {
    const isTest = point.part === "test";
    const radius = isTest ? POINT_RADIUS + TEST_RING : POINT_RADIUS;
    context.beginPath();
    context.arc(point.x, point.y, radius, 0, 2 * Math.PI);
    context.fillStyle = isTest ? THEME["--paper"] : pointFill(point.label, problem, nClasses);
    context.fill();
    context.lineWidth = POINT_STROKE;
    context.stroke();
    if (!isTest) continue;
    context.beginPath();
    context.arc(point.x, point.y, POINT_RADIUS - POINT_STROKE / 2, 0, 2 * Math.PI);
    context.fillStyle = pointFill(point.label, problem, nClasses);
    context.fill();
  }
}

/**
 * A ring around the selected sample: dark inside a white halo, readable on any colour.
 * @param {CanvasRenderingContext2D} context @param {number} x @param {number} y
 */
export function drawRing(context, x, y) {
  context.beginPath();
  context.arc(x, y, RING_RADIUS, 0, 2 * Math.PI);
  context.lineWidth = RING_WIDTH + 2;
  context.strokeStyle = THEME["--paper"];
  context.stroke();
  context.lineWidth = RING_WIDTH;
  context.strokeStyle = THEME["--ink"];
  context.stroke();
}

/**
 * A square around a point of the batch a slow step replays: accent inside a white halo.
 * @param {CanvasRenderingContext2D} context @param {number} x @param {number} y
 */
export function drawBatchMark(context, x, y) {
  const half = RING_RADIUS - 1;
  context.lineWidth = RING_WIDTH + 2;
  context.strokeStyle = THEME["--paper"];
  context.strokeRect(x - half, y - half, 2 * half, 2 * half);
  context.lineWidth = RING_WIDTH;
  context.strokeStyle = THEME["--accent"];
  context.strokeRect(x - half, y - half, 2 * half, 2 * half);
}

/**
 * Ticks and labels at −extent, 0 and +extent on both axes, plus the axis names.
 * @param {CanvasRenderingContext2D} context @param {Geometry} g @param {string} fontFamily
 */
export function drawAxes(context, g, fontFamily) {
  context.font = `${g.fontPx}px ${fontFamily}`;
  context.fillStyle = THEME["--muted"];
  context.strokeStyle = THEME["--muted"];
  context.lineWidth = 1;
  const bottom = g.top + g.side;
  for (const value of [-g.extent, 0, g.extent]) {
    const [x, y] = toPixel(g, value, value);
    context.beginPath();
    context.moveTo(x, bottom);
    context.lineTo(x, bottom + TICK_LENGTH);
    context.moveTo(g.left - TICK_LENGTH, y);
    context.lineTo(g.left, y);
    context.stroke();
    const text = formatTick(value);
    context.textAlign = "center";
    context.textBaseline = "top";
    context.fillText(text, x, bottom + TICK_LENGTH + 1);
    context.textAlign = "right";
    context.textBaseline = "middle";
    context.fillText(text, g.left - TICK_LENGTH - 2, y);
  }
  const [nameX, nameY] = toPixel(g, (2 * AXIS_NAME_AT - 1) * g.extent, (2 * AXIS_NAME_AT - 1) * g.extent);
  context.textAlign = "center";
  context.textBaseline = "top";
  context.fillText("x₁", nameX, bottom + TICK_LENGTH + 1);
  context.textAlign = "right";
  context.textBaseline = "middle";
  context.fillText("x₂", g.left - TICK_LENGTH - 2, nameY);
}

/**
 * Thin crosshair lines through the hovered pixel.
 * @param {CanvasRenderingContext2D} context @param {Geometry} g @param {number} x @param {number} y
 */
export function drawCrosshair(context, g, x, y) {
  context.save();
  context.globalAlpha = CROSSHAIR_ALPHA;
  context.strokeStyle = THEME["--ink"];
  context.lineWidth = 1;
  context.setLineDash(CROSSHAIR_DASH);
  context.beginPath();
  context.moveTo(g.left, Math.round(y) + 0.5);
  context.lineTo(g.left + g.side, Math.round(y) + 0.5);
  context.moveTo(Math.round(x) + 0.5, g.top);
  context.lineTo(Math.round(x) + 0.5, g.top + g.side);
  context.stroke();
  context.restore();
}
