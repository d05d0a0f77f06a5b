// @ts-check
/**
 * The cost over time: training and test cost from `state.history`, one point
 * per received frame, drawn as two lines on a canvas with a y axis from zero.
 * Hovering shows a cursor and the values at that moment. Redraws only when
 * the history, the size or the hover position changes. The CSS custom
 * property `--canvas-label-scale` (projector mode) scales the whole chart.
 */
import { THEME } from "../../lib/colors.js";
import { sizeCanvas, watchSize } from "../../lib/canvas.js";
import { el } from "./caption.js";
import { formatNumber, formatTick } from "../../lib/format.js";
import { pinColor } from "./pins.js";
import { keyed, t } from "../../i18n.js";

/** Height of the chart canvas, CSS px. */
const CHART_HEIGHT = 110;
/** Room left of the plot for the y labels, CSS px. */
const LEFT_AXIS = 34;
/** Room right of the plot, CSS px. */
const RIGHT_PAD = 4;
/** Room above the plot so the top label is not clipped, CSS px. */
const TOP_PAD = 7;
/** Room below the plot for the epoch labels, CSS px. */
const BOTTOM_AXIS = 15;
/** Label font size, CSS px. */
const LABEL_SIZE = 10.5;
/** Width of the cost lines, CSS px. */
const LINE_WIDTH = 1.6;
/** Radius of the dots on the hover cursor, CSS px. */
const CURSOR_DOT = 3;
/** Gridlines, as shares of the axis top (0 is the x axis itself). */
const GRID_SHARES = [0, 0.5, 1];
/** "Nice" mantissas for the axis top: the top is the smallest of these × 10^k above the data. */
const NICE_STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
/** The CSS custom property that scales the chart (labels, margins, height). */
const SCALE_PROPERTY = "--canvas-label-scale";
/** Dash pattern of a pinned run's training cost, CSS px. */
const PIN_DASH = [5, 4];
/** Shown in the empty chart. */
const EMPTY_TEXT = "chart.empty";

/**
 * The smallest "nice" number at or above `value`.
 * @param {number} value
 */
function niceTop(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = NICE_STEPS.find((candidate) => candidate * power >= value * (1 - 1e-9)) ?? 10;
  return step * power;
}

/**
 * @param {HTMLElement} element
 * @param {{store: any}} context
 */
export function createChartView(element, { store }) {
  const head = el("div", "chart-head");
  const legend = el("div", "chart-legend");
  legend.append(legendItem("chart-key-train", "metrics.training_cost"), legendItem("chart-key-test", "metrics.test_cost"));
  const readout = el("div", "chart-readout");
  readout.hidden = true;
  head.append(legend, readout);
  const canvas = document.createElement("canvas");
  canvas.className = "chart-canvas";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("data-i18n-aria-label", "chart.label");
  canvas.setAttribute("aria-label", t("chart.label"));
  element.append(head, canvas);

  /** @type {import("../../history.js").HistoryPoint[]} */
  let history = store.get().history;
  /** @type {any[]} the pinned runs (state.pins), drawn dashed on the same axes */
  let pins = store.get().pins;
  /** width of the chart in its own units (CSS px divided by the scale) */
  let width = 0;
  let elementWidth = 0;
  let scale = 1;
  let fontFamily = "";
  /** @type {number | null} hovered x, CSS px */
  let hoverX = null;

  /** @param {string} className @param {string} text */
  function legendItem(className, text) {
    const item = el("span", "chart-legend-item");
    item.append(el("span", `chart-key ${className}`), keyed(el("span"), text));
    return item;
  }

  function plot() {
    const innerWidth = Math.max(1, width - LEFT_AXIS - RIGHT_PAD);
    const innerHeight = CHART_HEIGHT - TOP_PAD - BOTTOM_AXIS;
    const first = history[0]?.step ?? 0;
    let last = history[history.length - 1]?.step ?? 0;
    let peak = 0;
    for (const point of history) peak = Math.max(peak, point.train ?? 0, point.test ?? 0);
    for (const pinned of pins) {
      last = Math.max(last, pinned.step[pinned.step.length - 1]);
      for (const cost of pinned.train_cost) peak = Math.max(peak, cost ?? 0);
    }
    const span = Math.max(1, last - first);
    const top = niceTop(peak);
    return {
      top, innerWidth, innerHeight,
      x: (/** @type {number} */ step) => LEFT_AXIS + ((step - first) / span) * innerWidth,
      y: (/** @type {number} */ cost) => TOP_PAD + innerHeight * (1 - Math.min(cost, top) / top),
    };
  }

  function draw() {
    if (!elementWidth) return;
    scale = Number(getComputedStyle(canvas).getPropertyValue(SCALE_PROPERTY)) || 1;
    width = elementWidth / scale;
    canvas.dataset.fontPx = String(LABEL_SIZE * scale);
    const context = sizeCanvas(canvas, elementWidth, CHART_HEIGHT * scale);
    context.scale(scale, scale);
    context.clearRect(0, 0, width, CHART_HEIGHT);
    fontFamily ||= getComputedStyle(canvas).fontFamily;
    context.font = `${LABEL_SIZE}px ${fontFamily}`;
    const p = plot();
    drawGrid(context, p);
    drawPins(context, p);
    canvas.dataset.pins = String(pins.length);
    if (history.length < 2) {
      context.fillStyle = THEME["--muted"];
      context.textAlign = "center";
      context.textBaseline = "middle";
      context.fillText(t(EMPTY_TEXT), LEFT_AXIS + p.innerWidth / 2, TOP_PAD + p.innerHeight / 2);
      readout.hidden = true;
      legend.hidden = false;
      canvas.dataset.points = String(history.length);
      return;
    }
    canvas.dataset.points = String(history.length);
    drawLine(context, p, "train", THEME["--ink"]);
    drawLine(context, p, "test", THEME["--accent"]);
    drawEpochs(context, p);
    drawCursor(context, p);
  }

  /** @param {CanvasRenderingContext2D} context @param {ReturnType<typeof plot>} p */
  function drawGrid(context, p) {
    context.lineWidth = 1;
    context.textAlign = "right";
    context.textBaseline = "middle";
    for (const share of GRID_SHARES) {
      const y = Math.round(p.y(share * p.top)) + 0.5;
      context.strokeStyle = THEME["--line"];
      context.beginPath();
      context.moveTo(LEFT_AXIS, y);
      context.lineTo(LEFT_AXIS + p.innerWidth, y);
      context.stroke();
      context.fillStyle = THEME["--muted"];
      context.fillText(formatTick(share * p.top, 2), LEFT_AXIS - 5, y);
    }
  }

  /**
   * @param {CanvasRenderingContext2D} context @param {ReturnType<typeof plot>} p
   * @param {"train"|"test"} key @param {string} color
   */
  function drawLine(context, p, key, color) {
    context.strokeStyle = color;
    context.lineWidth = LINE_WIDTH;
    context.lineJoin = "round";
    context.beginPath();
    let isDrawing = false;
    for (const point of history) {
      const cost = point[key];
      if (cost === null || !Number.isFinite(cost)) {
        isDrawing = false;
        continue;
      }
      if (isDrawing) context.lineTo(p.x(point.step), p.y(cost));
      else context.moveTo(p.x(point.step), p.y(cost));
      isDrawing = true;
    }
    context.stroke();
  }

  /** Each pinned run's training cost, dashed in its colour. @param {CanvasRenderingContext2D} context @param {ReturnType<typeof plot>} p */
  function drawPins(context, p) {
    context.save();
    context.setLineDash(PIN_DASH);
    context.lineWidth = LINE_WIDTH;
    pins.forEach((pinned, index) => {
      context.strokeStyle = pinColor(index);
      context.beginPath();
      pinned.step.forEach((/** @type {number} */ step, /** @type {number} */ k) => {
        const cost = pinned.train_cost[k];
        if (cost === null) return;
        if (k === 0) context.moveTo(p.x(step), p.y(cost));
        else context.lineTo(p.x(step), p.y(cost));
      });
      context.stroke();
    });
    context.restore();
  }

  /** @param {CanvasRenderingContext2D} context @param {ReturnType<typeof plot>} p */
  function drawEpochs(context, p) {
    const y = CHART_HEIGHT - BOTTOM_AXIS / 2;
    context.fillStyle = THEME["--muted"];
    context.textBaseline = "middle";
    context.textAlign = "left";
    context.fillText(t("chart.epoch", { epoch: history[0].epoch }), LEFT_AXIS, y);
    context.textAlign = "right";
    context.fillText(String(history[history.length - 1].epoch), LEFT_AXIS + p.innerWidth, y);
  }

  /** @param {CanvasRenderingContext2D} context @param {ReturnType<typeof plot>} p */
  function drawCursor(context, p) {
    if (hoverX === null) {
      readout.hidden = true;
      legend.hidden = false;
      return;
    }
    let nearest = history[0];
    for (const point of history) if (Math.abs(p.x(point.step) - hoverX) < Math.abs(p.x(nearest.step) - hoverX)) nearest = point;
    const x = Math.round(p.x(nearest.step)) + 0.5;
    context.strokeStyle = THEME["--muted"];
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(x, TOP_PAD);
    context.lineTo(x, TOP_PAD + p.innerHeight);
    context.stroke();
    for (const [key, color] of /** @type {const} */ ([["train", THEME["--ink"]], ["test", THEME["--accent"]]])) {
      const cost = nearest[key];
      if (cost === null) continue;
      context.fillStyle = color;
      context.beginPath();
      context.arc(x, p.y(cost), CURSOR_DOT, 0, 2 * Math.PI);
      context.fill();
    }
    readout.textContent = t("chart.readout", { epoch: nearest.epoch, train: formatNumber(nearest.train),
                                                test: formatNumber(nearest.test) });
    readout.hidden = false;
    legend.hidden = true;
  }

  canvas.addEventListener("mousemove", (event) => {
    const x = (event.clientX - canvas.getBoundingClientRect().left) / scale;
    hoverX = x >= LEFT_AXIS ? x : null;
    draw();
  });
  canvas.addEventListener("mouseleave", () => {
    hoverX = null;
    draw();
  });
  watchSize(element, (newWidth) => {
    elementWidth = Math.floor(newWidth);
    draw();
  });

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      // Projector mode changes the scale once the page has its new look: draw after that.
      if (state.ui.projector !== previous.ui.projector || state.language !== previous.language) {
        requestAnimationFrame(draw);
      }
      if (state.history === previous.history && state.pins === previous.pins) return;
      history = state.history;
      pins = state.pins;
      draw();
    },
  };
}
