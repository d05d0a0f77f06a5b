// @ts-check
/**
 * The small inline editor for one weight or bias: a text field for a number, placed
 * where the user clicked; "0,5" and "0.5" are both read as one half, whatever the
 * page's language (lib/format.js parseNumber). Enter applies, Escape or leaving the field
 * cancels. It only reports the typed number; the caller sends the command
 * and the drawing shows what the server echoes. `parameterOf` says which
 * parameter a clicked neuron (its bias) or link (its weight) is, its value
 * in the current frame and its name.
 */
import { biasAt, weightAt } from "./frame.js";
import { linkName, neuronName } from "./tooltip.js";
import { t } from "../../i18n.js";
import { localize, parseNumber } from "../../lib/format.js";

/** Width of the editor, CSS px. */
const EDITOR_WIDTH = 96;
/** Height of the editor, CSS px. */
const EDITOR_HEIGHT = 28;

/**
 * Open an editor inside `stage` (a positioned element) at (x, y) in its coordinates.
 * Returns a function that closes it without applying.
 * @param {HTMLElement} stage
 * @param {{x: number, y: number, value: number, label: string, onApply: (value: number) => void, onClose: () => void}} options
 * @returns {() => void}
 */
export function openEditor(stage, { x, y, value, label, onApply, onClose }) {
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "decimal";
  input.className = "network-editor";
  input.value = localize(String(Number(value.toFixed(4))));
  input.setAttribute("aria-label", t("editor.label", { name: label }));
  input.title = t("editor.title", { name: label });
  const left = Math.max(0, Math.min(x - EDITOR_WIDTH / 2, stage.clientWidth - EDITOR_WIDTH));
  input.style.left = `${left}px`;
  input.style.top = `${Math.max(0, y - EDITOR_HEIGHT / 2)}px`;
  input.style.width = `${EDITOR_WIDTH}px`;
  input.style.height = `${EDITOR_HEIGHT}px`;

  let isOpen = true;
  const close = () => {
    if (!isOpen) return;
    isOpen = false;
    input.remove();
    onClose();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const typed = parseNumber(input.value);
      if (Number.isFinite(typed)) onApply(typed);
      close();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  stage.append(input);
  input.focus();
  input.select();
  return close;
}

/**
 * The parameter a hit edits, as the `edit_weight` command names it: a neuron's bias (source null,
 * in weight layer `hit.layer − 1`) or a link's weight; with its value now and its name.
 * @param {import("./draw.js").Hit & {kind: "neuron" | "link"}} hit
 * @param {{frame: any, session: any, hello: any, offsets: import("./frame.js").Offsets,
 *          sizes: number[]}} context
 * @returns {{layer: number, source: number | null, target: number, value: number, label: string}}
 */
export function parameterOf(hit, { frame, session, hello, offsets, sizes }) {
  if (hit.kind === "neuron") {
    const { layer, index } = hit;
    return { layer: layer - 1, source: null, target: index, value: biasAt(frame.arrays.biases, offsets, layer, index),
             label: t("editor.bias_of", { name: neuronName(session, hello, layer, index) }) };
  }
  const { layer, source, target } = hit;
  return { layer, source, target, value: weightAt(frame.arrays.weights, offsets, sizes, layer, source, target),
           label: t("editor.weight", { name: linkName(session, hello, layer, source, target) }) };
}
