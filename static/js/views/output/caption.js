// @ts-check
/**
 * The line under the output plane that says what its colours mean: the two
 * classes, the class colours, the regression scale, or the hovered neuron's
 * map. Also the hover readout's wording. Builds small DOM fragments only.
 */
import { NEGATIVE, NEUTRAL, POSITIVE, classColor, rgb } from "../../lib/colors.js";
import { formatNumber, formatPercent, formatTick } from "../../lib/format.js";
import { neuronName } from "../../lib/labels.js";
import { currentLanguage, t } from "../../i18n.js";

/**
 * @param {string} tag @param {string} [className] @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/**
 * A small colour square for a class.
 * @param {number} label @param {number} nClasses
 */
export function classSwatch(label, nClasses) {
  const swatch = el("span", "output-swatch");
  swatch.style.background = rgb(classColor(label, nClasses));
  swatch.setAttribute("aria-hidden", "true");
  return swatch;
}

/** A strip showing the diverging scale from its negative end to its positive end. */
function scaleStrip() {
  const strip = el("span", "output-scale");
  strip.style.background = `linear-gradient(to right, ${rgb(NEGATIVE)}, ${rgb(NEUTRAL)}, ${rgb(POSITIVE)})`;
  strip.setAttribute("aria-hidden", "true");
  return strip;
}

/**
 * The scale strip between its two end values, kept on one line.
 * @param {number} low @param {number} high
 */
function scaleWithEnds(low, high) {
  const group = el("span", "output-scale-group");
  group.append(el("span", "output-scale-end", formatTick(low)), scaleStrip(), el("span", "output-scale-end", formatTick(high)));
  return group;
}

/**
 * Fill `element` with the caption for what the plane shows now.
 * Rebuilds only when the wording changes.
 * @param {HTMLElement} element
 * @param {any} state page state
 * @param {[number, number] | null} shownNeuron the neuron whose map is shown, if any
 */
export function renderCaption(element, state, shownNeuron) {
  const { session, hello, frame } = state;
  const problem = session?.problem ?? "binary";
  const nClasses = session?.n_classes ?? 2;
  const range = shownNeuron ? frame?.header.map_ranges?.[shownNeuron[0]]?.[shownNeuron[1]] : null;
  const key = JSON.stringify([problem, nClasses, shownNeuron, range, currentLanguage()]);
  if (element.dataset.key === key) return;
  element.dataset.key = key;
  element.replaceChildren();
  if (shownNeuron) {
    const name = neuronName(hello, session, shownNeuron[0], shownNeuron[1]);
    element.append(el("strong", "", t("caption.showing", { name })), " ", scaleWithEnds(range?.[0] ?? -1, range?.[1] ?? 1));
  } else if (problem === "multiclass") {
    element.append(`${t("caption.multiclass")} `);
    const keys = el("span", "output-class-keys");
    for (let k = 0; k < nClasses; k++) {
      const item = el("span", "output-class-key");
      item.append(classSwatch(k, nClasses), String(k));
      keys.append(item);
    }
    element.append(keys);
  } else if (problem === "regression") {
    element.append(`${t("caption.regression")} `, scaleWithEnds(-1, 1));
  } else {
    element.append(classSwatch(0, 2), `${t("caption.class_0")} `, scaleStrip(), ` ${t("caption.class_1")}`, classSwatch(1, 2));
  }
}

/**
 * What the model says at one grid cell, in words: "class 1: 81%", "prediction 0.53".
 * @param {any} frame @param {string} problem @param {number} cell
 */
function cellValue(frame, problem, cell) {
  const { output, output_confidence: confidence } = frame.arrays;
  const q = output[cell];
  if (problem === "multiclass" && confidence) {
    return t("caption.cell_class", { k: q, percent: formatPercent(confidence[cell] / 255) });
  }
  if (problem === "regression") return t("caption.cell_prediction", { value: formatNumber((q / 255) * 2 - 1, 2) });
  return t("caption.cell_binary", { percent: formatPercent(q / 255) });
}

/**
 * The hover readout: coordinates, the model's answer there and the point under the pointer.
 * @param {any} frame
 * @param {string} problem
 * @param {[number, number]} plane x1, x2
 * @param {number} cell grid cell under the pointer
 * @param {{part: string, index: number, label: number} | null} point data point under the pointer
 * @param {boolean} isNeuronMap the plane shows a neuron, not the output
 */
export function readoutText(frame, problem, plane, cell, point, isNeuronMap) {
  const parts = [`x₁ ${formatNumber(plane[0], 3)}`, `x₂ ${formatNumber(plane[1], 3)}`];
  if (!isNeuronMap) parts.push(cellValue(frame, problem, cell));
  if (point) {
    const label = problem === "regression"
      ? t("caption.point_target", { value: formatNumber(point.label) })
      : t("caption.point_class", { k: point.label });
    const key = point.part === "train" ? "caption.point_train" : "caption.point_test";
    parts.push(t(key, { index: point.index, label }));
  }
  return parts.join(" · ");
}
