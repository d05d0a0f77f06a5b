// @ts-check
/**
 * The Output panel's plane: the server's decision boundary (or the hovered
 * neuron's map), the data points, the selected sample, axis ticks, a hover
 * crosshair and readout, and the "Show test data" / "Discretize output"
 * toggles. Clicking a point asks the server to trace it through the network.
 */
import { commands } from "../../protocol.js";
import { sizeCanvas, watchSize } from "../../lib/canvas.js";
import { el, readoutText, renderCaption } from "./caption.js";
import { termButton } from "../controls/terms.js";
import {
  cellAt, drawAxes, drawBackground, drawBatchMark, drawCrosshair, drawPoints, drawRing, isInside, layoutPlane,
  nearestPoint, screenPoints, toPixel, toPlane, widthForHeight,
} from "./plane.js";

/** How close a click must be to a data point to pick it, CSS px. */
const HIT_RADIUS = 6;
/** Shown under the plane when the pointer is elsewhere. */
const READOUT_HINT = "Click a point to follow it through the network; arrow keys step through points.";
/** The same on a follower's page, where the presenter chooses the point. */
const FOLLOWER_HINT = "Point at the plane to read the output there; the presenter chooses the point to follow.";
/** The CSS custom property that scales the axis labels and their room (projector mode). */
/** The toggles' words: "Show" and the term "test data"; "Discretize output". */
const SHOW_TEST = ["Show ", "test data"];
const DISCRETIZE = "Discretize output";
/** The concept the toggles row names, as a term button. */
const BOUNDARY_TERM = "Decision boundary";
const SCALE_PROPERTY = "--canvas-label-scale";

/**
 * @param {HTMLElement} element
 * @param {{store: any, send: (command: any) => void, basePath: string}} context
 */
export function createHeatmapView(element, { store, send }) {
  const canvas = document.createElement("canvas");
  canvas.className = "heatmap-canvas";
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "Decision boundary over the input plane with the data points. "
    + "Arrow keys select a data point to trace, Escape clears it.");
  const caption = el("p", "heatmap-caption");
  caption.id = "heatmap-caption";
  canvas.setAttribute("aria-describedby", caption.id);
  const readout = el("p", "heatmap-readout", READOUT_HINT);
  const toggles = el("div", "heatmap-toggles");
  const showTest = checkbox([SHOW_TEST[0], termButton("test data", SHOW_TEST[1])], "showTest");
  const discretize = checkbox([DISCRETIZE], "discretize");
  showTest.input.checked = store.get().ui.showTest;
  discretize.input.checked = store.get().ui.discretize;
  toggles.append(showTest.label, discretize.label, termButton("decision boundary", BOUNDARY_TERM));
  element.append(canvas, caption, readout, toggles);

  /** @type {any} */
  let current = store.get();
  let width = 0;
  let scale = 1;
  /** @type {{x: number, y: number} | null} */
  let hover = null;
  let isDrawScheduled = false;
  let fontFamily = "";
  /** @type {import("./plane.js").ScreenPoint[]} */
  let points = [];

  /**
   * A toggle whose words may hold a term button: pressing the term explains it, it does not tick the box.
   * @param {(string | Node)[]} words @param {"showTest"|"discretize"} key
   */
  function checkbox(words, key) {
    const label = el("label", "heatmap-toggle");
    const input = /** @type {HTMLInputElement} */ (el("input"));
    input.type = "checkbox";
    input.addEventListener("change", () => store.update({ ui: { ...store.get().ui, [key]: input.checked } }));
    label.append(input, ...words);
    return { label, input };
  }

  /** @returns {[number, number] | null} the neuron whose map to show instead of the output */
  function shownNeuron() {
    // Hovered here, or (on a follower's page) highlighted by the presenter.
    const hovered = current.ui.hoverNeuron ?? current.session?.highlight ?? null;
    const selected = current.frame?.header.selected;
    if (!hovered || !current.frame?.arrays.selected_map || !selected) return null;
    return selected[0] === hovered[0] && selected[1] === hovered[1] ? hovered : null;
  }

  /** Where the selected sample sits on the plane, or null. @returns {[number, number] | null} */
  function selectedPoint() {
    const sample = current.session?.selected_sample;
    if (!sample) return null;
    if (sample.point) return sample.point;
    const dataset = current.dataset;
    if (dataset && (sample.part === "train" || sample.part === "test")) {
      const i = sample.part === "train" ? sample.index : dataset.header.n_train + sample.index;
      if (i < dataset.arrays.labels.length) return [dataset.arrays.points[2 * i], dataset.arrays.points[2 * i + 1]];
    }
    return current.frame?.header.trace?.point ?? null;
  }

  function geometry() {
    return layoutPlane(width, current.hello?.extent ?? 1, scale);
  }

  function draw() {
    isDrawScheduled = false;
    const { hello, session, frame, dataset, ui } = current;
    if (!width || !hello) return;
    const g = geometry();
    const context = sizeCanvas(canvas, g.width, g.height);
    context.clearRect(0, 0, g.width, g.height);
    fontFamily ||= getComputedStyle(canvas).fontFamily;
    drawAxes(context, g, fontFamily);
    if (!frame || !session) return;
    const neuron = shownNeuron();
    // The frame decides how its grid reads; the session may already describe the next problem.
    const problem = frame.arrays.output_confidence ? "multiclass" : session.problem;
    const nClasses = session.n_classes;
    drawBackground(context, g, { frame, problem, nClasses, isDiscrete: ui.discretize,
                                 neuronMap: neuron ? /** @type {Uint8Array} */ (frame.arrays.selected_map) : null });
    points = dataset ? screenPoints(g, dataset, ui.showTest) : [];
    drawPoints(context, points, dataset?.header.problem ?? problem, dataset?.header.n_classes ?? nClasses);
    // while a slow step replays, the points of its batch are marked
    const batch = ui.slowPhase && current.slowStep ? current.slowStep.points : [];
    for (const [x1, x2] of batch) drawBatchMark(context, ...toPixel(g, x1, x2));
    canvas.dataset.batch = String(batch.length);
    const selected = selectedPoint();
    if (selected) drawRing(context, ...toPixel(g, selected[0], selected[1]));
    if (hover) drawCrosshair(context, g, hover.x, hover.y);
    renderCaption(caption, current, neuron);
    updateReadout(g, neuron !== null);
    markDrawn(g, frame.header.seq, neuron !== null);
  }

  /**
   * Record what the canvas shows, for tests and tools that read the page.
   * @param {import("./plane.js").Geometry} g @param {number} seq @param {boolean} isNeuronMap
   */
  function markDrawn(g, seq, isNeuronMap) {
    Object.assign(canvas.dataset, {
      seq: String(seq), map: isNeuronMap ? "neuron" : "output", plot: [g.left, g.top, g.side, g.extent].join(","),
      test: String(current.ui.showTest), discrete: String(current.ui.discretize), fontPx: String(g.fontPx),
    });
  }

  /** @param {import("./plane.js").Geometry} g @param {boolean} isNeuronMap */
  function updateReadout(g, isNeuronMap) {
    const frame = current.frame;
    if (!hover || !frame) {
      readout.textContent = current.hello?.role === "follower" ? FOLLOWER_HINT : READOUT_HINT;
      return;
    }
    const cell = cellAt(g, hover.x, hover.y, frame.header.grid_size);
    const point = nearestPoint(points, hover.x, hover.y, HIT_RADIUS);
    readout.textContent = readoutText(frame, current.session.problem, toPlane(g, hover.x, hover.y), cell, point,
                                      isNeuronMap);
  }

  function scheduleDraw() {
    if (isDrawScheduled) return;
    isDrawScheduled = true;
    requestAnimationFrame(draw);
  }

  /** @param {MouseEvent} event @returns {{x: number, y: number}} */
  function pointerAt(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("mousemove", (event) => {
    const at = pointerAt(event);
    hover = isInside(geometry(), at.x, at.y) ? at : null;
    canvas.style.cursor = hover && nearestPoint(points, at.x, at.y, HIT_RADIUS) ? "pointer" : "crosshair";
    scheduleDraw();
  });
  canvas.addEventListener("mouseleave", () => {
    hover = null;
    scheduleDraw();
  });
  canvas.addEventListener("click", (event) => {
    const g = geometry();
    const at = pointerAt(event);
    if (!current.frame || !isInside(g, at.x, at.y)) return;
    const selected = selectedPoint();
    if (selected) {
      const [x, y] = toPixel(g, selected[0], selected[1]);
      if ((x - at.x) ** 2 + (y - at.y) ** 2 <= HIT_RADIUS ** 2) {
        send(commands.selectSample(null));
        return;
      }
    }
    const hit = nearestPoint(points, at.x, at.y, HIT_RADIUS);
    if (hit) send(commands.selectSample(hit.part, hit.index));
    else send(commands.selectSample("point", null, toPlane(g, at.x, at.y)));
  });
  canvas.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    const dataset = current.dataset;
    if (!step || !dataset) return;
    event.preventDefault();
    const sample = current.session?.selected_sample;
    const part = sample?.part === "test" && current.ui.showTest ? "test" : "train";
    const count = part === "train" ? dataset.header.n_train : dataset.header.n_test;
    const index = sample?.part === part && sample.index !== null ? (sample.index + step + count) % count : 0;
    send(commands.selectSample(part, index));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || !current.session?.selected_sample) return;
    send(commands.selectSample(null));
  });

  watchSize(element, (newWidth, newHeight) => {
    const style = getComputedStyle(element);
    scale = Number(style.getPropertyValue(SCALE_PROPERTY)) || 1;
    // A box sized by the page, not by the plane (projector mode): the plane also fits its height.
    const isSized = style.containerType === "size";
    width = Math.floor(isSized ? Math.min(newWidth, widthForHeight(newHeight, scale)) : newWidth);
    scheduleDraw();
  });

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      current = state;
      if (state.ui !== previous.ui) {
        showTest.input.checked = state.ui.showTest;
        discretize.input.checked = state.ui.discretize;
      }
      if (state.frame !== previous.frame || state.dataset !== previous.dataset || state.ui !== previous.ui
          || state.session !== previous.session || state.hello !== previous.hello) scheduleDraw();
    },
  };
}
