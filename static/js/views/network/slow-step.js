// @ts-check
/**
 * "Slow step": one mini-batch step replayed in slow motion over the network drawing, from the
 * numbers of the server's `slow_step` message: the forward sweep layer by layer (neurons show
 * their mean output over the batch), the error flowing back layer by layer (links coloured by
 * the gradient, neurons by their mean dC/dz), then the weights moving from before to after.
 * The phases are timed here and purely visual; a caption says what happens in each, and during
 * the update the links that moved most are labelled "before → after" (the server's `moved_most`).
 * `onPhase` hears each new phase kind ("forward", "backward", "update", then null), so the step
 * counter and the output plane can follow the replay. When the replay ends the network shows the
 * latest frame again.
 */
import { THEME, diverging, rgb } from "../../lib/colors.js";
import { formatFixed, formatNumber, formatRate } from "../../lib/format.js";
import { t } from "../../i18n.js";
import { drawNetwork } from "./draw.js";
import { linkCurve } from "./layout.js";

/** How long each layer of the forward and the backward sweep is shown, ms. */
const LAYER_MS = 900;
/** How long the weights take to move from before to after, ms. */
const UPDATE_MS = 1800;
/** Opacity of the veil over the layers the sweep has not reached. */
const VEIL_ALPHA = 0.78;
/** Font size of the numbers on the neurons and links, px. */
const VALUE_FONT = 11;
/** Padding around a link's "before → after" label, px. */
const LABEL_PAD = 3;

/**
 * The phase at `elapsed` ms into the replay of a network with `layers` layers (inputs included).
 * @param {number} elapsed @param {number} layers
 * @returns {{kind: "forward"|"backward"|"update", layer: number, t: number} | null}
 */
export function phaseAt(elapsed, layers) {
  const forward = layers * LAYER_MS;
  const backward = (layers - 1) * LAYER_MS;
  if (elapsed < forward) return { kind: "forward", layer: Math.floor(elapsed / LAYER_MS), t: 0 };
  if (elapsed < forward + backward) {
    return { kind: "backward", layer: layers - 1 - Math.floor((elapsed - forward) / LAYER_MS), t: 0 };
  }
  if (elapsed < forward + backward + UPDATE_MS) return { kind: "update", layer: 0, t: (elapsed - forward - backward) / UPDATE_MS };
  return null;
}

/** @param {{kind: string, layer: number}} phase @param {any} record @param {number} last */
function captionOf(phase, record, last) {
  const name = (/** @type {number} */ layer) => (layer === 0 ? t("slow.inputs") : layer === last ? t("slow.output_layer")
    : t("slow.layer", { layer }));
  if (phase.kind === "forward") {
    return t("slow.forward", { name: name(phase.layer), count: record.indices.length });
  }
  if (phase.kind === "backward") {
    return phase.layer === last
      ? t("slow.backward_output", { cost: formatNumber(record.cost, 3) })
      : t("slow.backward", { name: name(phase.layer) });
  }
  return t("slow.update", { rate: formatRate(record.learning_rate), optimizer: record.optimizer });
}

/**
 * A frame-shaped object whose arrays hold the slow step's numbers, in the frame's layout.
 * @param {any} frame @param {any} record @param {number} t share of the update done
 */
function replayFrame(frame, record, t) {
  const weights = [], biases = [], weightGrads = [], biasGrads = [];
  for (const layer of record.weight_layers) {
    layer.weights_before.forEach((/** @type {number[]} */ row, /** @type {number} */ i) => row.forEach((w, j) => {
      weights.push(w + t * (layer.weights_after[i][j] - w));
      weightGrads.push(layer.weight_grads[i][j]);
    }));
    layer.biases_before.forEach((/** @type {number} */ b, /** @type {number} */ j) => {
      biases.push(b + t * (layer.biases_after[j] - b));
      biasGrads.push(layer.bias_grads[j]);
    });
  }
  return { header: frame.header, arrays: { ...frame.arrays, weights: Float32Array.from(weights),
    biases: Float32Array.from(biases), weight_grads: Float32Array.from(weightGrads), bias_grads: Float32Array.from(biasGrads) } };
}

/**
 * "before → after" on the middle of each link that moved most, on a paper patch.
 * @param {CanvasRenderingContext2D} context @param {import("./layout.js").Layout} layout
 * @param {{layer: number, source: number, target: number, before: number, after: number, decimals: number}[]} moved
 */
function drawMoved(context, layout, moved) {
  for (const link of moved) {
    const [x0, y0, , x1, y1] = linkCurve(layout, link.layer, link.source, link.target);
    const text = `${formatFixed(link.before, link.decimals)} → ${formatFixed(link.after, link.decimals)}`;
    const x = (x0 + x1) / 2;
    const y = (y0 + y1) / 2;  // links are symmetric curves: their middle is their ends' midpoint
    const width = context.measureText(text).width + 2 * LABEL_PAD;
    context.fillStyle = THEME["--paper"];
    context.fillRect(x - width / 2, y - VALUE_FONT / 2 - LABEL_PAD, width, VALUE_FONT + 2 * LABEL_PAD);
    context.strokeStyle = THEME["--ink"];
    context.lineWidth = 1;
    context.strokeRect(x - width / 2, y - VALUE_FONT / 2 - LABEL_PAD, width, VALUE_FONT + 2 * LABEL_PAD);
    context.fillStyle = THEME["--ink"];
    context.fillText(text, x, y);
  }
  context.canvas.dataset.moved = moved.map((link) => `${formatFixed(link.before, link.decimals)} → `
    + `${formatFixed(link.after, link.decimals)}`).join("; ");
}

/** @param {number[]} values */
const largest = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;

/**
 * @param {HTMLElement} caption where the phase is said in words (aria-live)
 * @param {HTMLCanvasElement} canvas the network canvas (its data-phase tells tests the phase)
 * @param {() => void} redraw asks the view to draw again
 * @param {(kind: string | null) => void} [onPhase] hears each new phase kind, then null at the end
 */
export function createSlowStep(caption, canvas, redraw, onPhase = () => {}) {
  /** @type {any} */ let record = null;
  let started = 0;
  /** @type {ReturnType<typeof phaseAt>} */ let phase = null;
  /** @type {string | null} */ let kind = null;

  function tick() {
    if (!record) return;
    phase = phaseAt(performance.now() - started, record.layers.length);
    canvas.dataset.phase = phase ? `${phase.kind}:${phase.layer}` : "";
    if ((phase?.kind ?? null) !== kind) {
      kind = phase?.kind ?? null;
      onPhase(kind);
    }
    caption.textContent = phase ? captionOf(phase, record, record.layers.length - 1) : "";
    caption.hidden = !phase;
    if (!phase) record = null;
    redraw();
    if (record) requestAnimationFrame(tick);
  }

  return {
    /** @param {any} message a `slow_step` message */
    play(message) {
      record = message;
      started = performance.now();
      delete canvas.dataset.moved;
      requestAnimationFrame(tick);
    },
    isPlaying: () => record !== null && phase !== null,
    /**
     * Draw the current phase instead of the frame.
     * @param {CanvasRenderingContext2D} context @param {import("./layout.js").Layout} layout
     * @param {any} frame @param {import("./frame.js").Offsets} offsets
     */
    draw(context, layout, frame, offsets) {
      if (!record || !phase) return;
      const isBackward = phase.kind === "backward";
      const shown = replayFrame(frame, record, phase.kind === "update" ? phase.t : 0);
      const scale = largest([...shown.arrays.weight_grads, ...shown.arrays.bias_grads]);
      drawNetwork(context, layout, shown, offsets, { showGradients: isBackward, gradientScale: scale, hover: null, selected: null });
      const key = isBackward ? "delta" : "activation";
      const reached = (/** @type {number} */ layer) => (phase?.kind === "forward" ? layer <= phase.layer
        : phase?.kind === "backward" ? layer >= phase.layer : true);
      context.font = `${VALUE_FONT}px ${getComputedStyle(canvas).fontFamily}`;
      context.textAlign = "center";
      context.textBaseline = "middle";
      record.layers.forEach((/** @type {any} */ layer, /** @type {number} */ index) => {
        if (!reached(index) || phase?.kind === "update") return;
        const size = largest(layer[key]);
        layout.neurons[index].forEach((neuron, k) => {
          const value = layer[key][k];
          context.fillStyle = rgb(diverging(isBackward ? value / size : value));
          context.fillRect(neuron.x, neuron.y, layout.thumb, layout.thumb);
          context.fillStyle = THEME["--ink"];
          context.fillText(formatNumber(value, 2), neuron.x + layout.thumb / 2, neuron.y + layout.thumb / 2);
        });
      });
      if (phase.kind === "update") {
        drawMoved(context, layout, record.moved_most ?? []);
        return;
      }
      const edge = phase.kind === "forward" ? layout.columnX[phase.layer] + layout.thumb + 2 : layout.columnX[phase.layer] - 2;
      context.fillStyle = THEME["--paper"];
      context.globalAlpha = VEIL_ALPHA;
      if (phase.kind === "forward") context.fillRect(edge, 0, layout.width - edge, layout.height);
      else context.fillRect(layout.labelWidth, 0, edge - layout.labelWidth, layout.height);
      context.globalAlpha = 1;
    },
  };
}
