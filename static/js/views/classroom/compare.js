// @ts-check
/**
 * Compared runs side by side, from the binary `comparison` the server answers `compare` with: each
 * run's 32×32 boundary and its test-cost curve (100 points, the real ones first: `curve_lengths`),
 * all curves on one cost scale so their heights compare, under the alias with its accuracy, epoch,
 * shape and parameters. While the comparison is open it is asked for again as the class's tiles come,
 * at most every COMPARE_REFRESH_MS, so the runs stay live.
 */
import { commands } from "../../protocol.js";
import { THEME } from "../../lib/colors.js";
import { sizeCanvas } from "../../lib/canvas.js";
import { formatCount, formatNumber } from "../../lib/format.js";
import { button, el } from "../controls/dom.js";
import { mapAt, paintMap } from "./thumbs.js";
import { shapeText, tileFigure } from "./tiles.js";
import { CLASS_KEY, CLASS_TEXT } from "./strings.js";

/** Shortest time between two `compare` refreshes while the comparison is open. */
const COMPARE_REFRESH_MS = 2000;
/** The curve's box, CSS px. */
const CURVE_WIDTH = 200;
const CURVE_HEIGHT = 80;
/** Room inside the curve's box, CSS px. */
const CURVE_PAD = 4;

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * Each run's curve: its real points (the first `lengths[i]` of its row of `per` values), and one
 * cost range for all of them, so every curve is drawn to the same scale.
 * @param {Float32Array} curves n × per
 * @param {Uint32Array} lengths n
 * @param {number} per points per run
 * @returns {{points: number[][], low: number, high: number}}
 */
export function curveRows(curves, lengths, per) {
  const points = [...lengths].map((length, i) =>
    [...curves.subarray(i * per, i * per + Math.min(length, per))].filter(Number.isFinite));
  const all = points.flat();
  const low = all.length ? Math.min(0, ...all) : 0;
  const high = all.length ? Math.max(...all) : 1;
  return { points, low, high: high > low ? high : low + 1 };
}

/**
 * @param {HTMLCanvasElement} canvas @param {number[]} points @param {number} low @param {number} high
 * @param {number} per the x axis holds this many points
 */
function drawCurve(canvas, points, low, high, per) {
  const context = sizeCanvas(canvas, CURVE_WIDTH, CURVE_HEIGHT);
  context.clearRect(0, 0, CURVE_WIDTH, CURVE_HEIGHT);
  context.strokeStyle = THEME["--line"];
  context.strokeRect(0.5, 0.5, CURVE_WIDTH - 1, CURVE_HEIGHT - 1);
  if (points.length === 0) return;
  const x = (/** @type {number} */ i) => CURVE_PAD + (i / Math.max(1, per - 1)) * (CURVE_WIDTH - 2 * CURVE_PAD);
  const y = (/** @type {number} */ v) => CURVE_HEIGHT - CURVE_PAD - ((v - low) / (high - low)) * (CURVE_HEIGHT - 2 * CURVE_PAD);
  context.beginPath();
  points.forEach((value, i) => (i ? context.lineTo(x(i), y(value)) : context.moveTo(x(i), y(value))));
  context.strokeStyle = THEME["--accent"];
  context.lineWidth = 2;
  context.stroke();
  canvas.dataset.points = String(points.length);
}

/**
 * @param {HTMLElement} slot the class panel
 * @param {{send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createCompare(slot, { send }) {
  const runs = el("div", { class: "compare-runs" });
  const close = button(CLASS_KEY.compareClose, "", () => {
    isOpen = false;
    box.hidden = true;
  });
  const box = el("section", { class: "class-compare", i18nLabel: CLASS_KEY.compareTitle, hidden: true }, [
    el("div", { class: "compare-head" }, [el("h3", { i18n: CLASS_KEY.compareTitle }), close]), runs,
  ]);
  slot.append(box);
  let isOpen = false;
  let askedAt = 0;
  /** @type {string[]} */
  let compared = [];

  /** @param {import("../../protocol.js").BinaryMessage} message */
  function draw(message) {
    const list = message.header.runs ?? [];
    const boundaries = /** @type {Uint8Array} */ (message.arrays.boundaries);
    const curves = /** @type {Float32Array} */ (message.arrays.curves);
    const lengths = /** @type {Uint32Array} */ (message.arrays.curve_lengths);
    const per = list.length ? Math.floor(curves.length / list.length) : 0;
    const rows = curveRows(curves, lengths ?? new Uint32Array(list.length).fill(per), per);
    runs.replaceChildren(...list.map((/** @type {any} */ run, /** @type {number} */ i) => {
      const picture = el("canvas", { class: "compare-boundary", "aria-hidden": "true" });
      const { cells, size } = mapAt(boundaries, i, list.length);
      paintMap(picture, cells, size);
      const curve = el("canvas", { class: "compare-curve", "aria-hidden": "true" });
      drawCurve(curve, rows.points[i], rows.low, rows.high, per);
      const last = rows.points[i].at(-1);
      return el("figure", { class: "compare-run", "data-student": run.student,
                            "aria-label": CLASS_TEXT.compareLabel(run.alias) }, [
        el("figcaption", {}, [el("strong", { text: run.alias }),
          ` ${tileFigure(run)} · ${CLASS_TEXT.epoch(formatCount(run.epoch))}`]),
        picture, curve,
        el("p", { class: "compare-meta",
                  text: `${CLASS_TEXT.compareCurve} ${formatNumber(last ?? run.test_cost)} · `
                    + `${shapeText(run.shape)} · ${CLASS_TEXT.params(run.params)}` }),
      ]);
    }));
    compared = list.map((/** @type {any} */ run) => run.student);
  }

  return {
    render(state, previous) {
      if (state.comparison !== previous.comparison && state.comparison) {
        isOpen = true;
        box.hidden = false;
        draw(state.comparison);
      }
      if (state.classView !== previous.classView && isOpen && Date.now() - askedAt >= COMPARE_REFRESH_MS) {
        // Only runs still in the class, still own copies: a student who went back is no longer compared.
        const forked = new Set((state.classView?.tiles ?? [])
          .filter((/** @type {any} */ tile) => tile.mode === "forked").map((/** @type {any} */ tile) => tile.student));
        const still = compared.filter((student) => forked.has(student));
        askedAt = Date.now();
        if (still.length >= 2) send(commands.compare(still));
      }
      if (!state.ui.classOpen && isOpen) {
        isOpen = false;
        box.hidden = true;
      }
    },
  };
}
