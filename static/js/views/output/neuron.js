// @ts-check
/**
 * "Inside one neuron": the arithmetic of one neuron for one point, with the
 * server's real numbers from `frame.header.trace`. The forward pass as a
 * worked sum, then, for a labelled point, the cost, the backward pass
 * (dC/da, f′(z), dC/dz) and the update of every weight and the bias
 * (neuron-update.js). While a point is selected the panel docks at the
 * bottom of the window beside the output, so it stays in view. Without a
 * selected point it explains what a neuron computes and offers to pick one.
 */
import { commands } from "../../protocol.js";
import { classSwatch, el } from "./caption.js";
import { formatFixed, formatNumber } from "../../lib/format.js";
import { neuronName, optionLabel } from "../../lib/labels.js";
import { buildNeuronTable, fillNeuronTable } from "./neuron-table.js";
import { renderUpdate, updateNote } from "./neuron-update.js";
import { termButton } from "../controls/terms.js";

/** How to choose what is shown. */
const HINT = "Hover or click a neuron in the network; click a point in the output.";
/** Said in place of the backward pass for a point without a label. */
const NO_LABEL = "this point has no label, so there is no cost; click a data point";
/** What a neuron does, shown while nothing is selected. */
const INTRO = "A neuron multiplies each input by a weight, adds the products and a bias, and passes "
  + "that sum z through an activation function, such as tanh, to get its output a. Pick a point to see "
  + "those numbers for one neuron, live while the network trains.";

/** The three parts' headings: the concept each names (a term button, glossary id and words), then the rest. */
const HEADING_TERMS = {
  forward: ["forward pass", "Forward pass", ""],
  backward: ["backpropagation", "Backward pass", ", this point alone"],
  update: ["gradient descent", "Update", ", one step on this point alone"],
};

/** @param {string[]} heading one of HEADING_TERMS @returns {HTMLElement} */
function headingOf([id, words, rest]) {
  const node = el("h3", "neuron-heading");
  node.append(termButton(id, words), rest);
  return node;
}

/** A negative number in brackets, as in "0.93 − (−1.00)". @param {string} text */
function bracket(text) {
  return text.startsWith("−") ? `(${text})` : text;
}

/**
 * @param {HTMLElement} element
 * @param {{store: any, send: (command: any) => void}} context
 */
export function createNeuronView(element, { send }) {
  element.classList.add("neuron");
  const lead = el("p", "neuron-lead");
  const hint = el("p", "neuron-hint", HINT);
  const scroll = el("div", "neuron-scroll");
  scroll.tabIndex = 0;
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", "The neuron's arithmetic");
  const forward = el("section", "neuron-forward");
  forward.append(headingOf(HEADING_TERMS.forward), scroll);
  const backward = el("div", "neuron-backward");
  const backwardBox = el("section", "neuron-backward-box");
  backwardBox.append(headingOf(HEADING_TERMS.backward), backward);
  const updateNoteText = el("p", "neuron-note neuron-update-note");
  const updateTable = el("div", "neuron-scroll");
  const updateBox = el("section", "neuron-update-box");
  updateBox.append(headingOf(HEADING_TERMS.update), updateNoteText, updateTable);
  const body = el("div", "neuron-body");
  body.append(forward, backwardBox, updateBox);
  const close = el("button", "neuron-close", "×");
  close.setAttribute("type", "button");
  close.setAttribute("aria-label", "Close: clear the selected point");
  close.addEventListener("click", () => send(commands.selectSample(null)));
  const dock = element.closest(".panel-neuron");
  const empty = el("div", "neuron-empty");
  const button = el("button", "neuron-pick", "Show a training point");
  button.setAttribute("type", "button");
  button.addEventListener("click", () => send(commands.selectSample("train", 0)));
  empty.append(el("p", "", INTRO), button);
  element.append(close, lead, hint, body, empty);

  let shapeKey = "";
  /** @type {any} */
  let builtUpdate = null;
  /** @type {import("./neuron-table.js").Slots | null} */
  let slots = null;

  /** @param {any} state @param {any} trace */
  function leadText(state, trace) {
    const { hello, session } = state;
    const neuron = trace.neuron;
    const name = neuronName(hello, session, neuron.layer, neuron.index);
    const kind = optionLabel(hello, neuron.activation === "softmax" ? "output_activation" : "activation",
                             neuron.activation);
    const where = `(${formatNumber(trace.point[0])}, ${formatNumber(trace.point[1])})`;
    const which = trace.part === "point" ? "the point" : `${trace.part === "train" ? "training" : "test"} point #${trace.index}`;
    return `${name[0].toUpperCase()}${name.slice(1)} (${kind}) for ${which} at ${where}`;
  }

  /** @param {any} state @param {any} trace */
  function renderLead(state, trace) {
    lead.replaceChildren(leadText(state, trace));
    if (trace.label === null || trace.label === undefined) return;
    const problem = state.session?.problem;
    if (problem === "regression") {
      lead.append(`, target: ${formatNumber(trace.label)}`);
      return;
    }
    const nClasses = state.session?.n_classes ?? 2;
    const colour = nClasses <= 2 ? (trace.label >= 1 ? "blue / " : "orange / ") : "";
    lead.append(", label: ", classSwatch(trace.label, nClasses), `${colour}class ${trace.label}`);
  }

  /** @param {any} state @param {any} trace @returns {string[][]} name, value, note */
  function backwardRows(state, trace) {
    const neuron = trace.neuron;
    const output = trace.output.map((/** @type {number} */ value) => formatNumber(value)).join(", ");
    const rows = [["network output", output, ""]];
    if (!neuron.backward) {
      rows.push(["backward pass", "", NO_LABEL]);
      return rows;
    }
    const back = neuron.backward;
    const fixed = (/** @type {number} */ value) => formatFixed(value, back.decimals);
    const equals = back.is_exact ? "=" : "≈";
    const aMinusT = () => `${fixed(neuron.a)} − ${bracket(fixed(back.target))} ${equals} ${fixed(back.a_minus_t)}`;
    rows.push(["cost for this point", formatNumber(trace.cost), back.is_output ? "this output's cost term" : ""]);
    if (back.is_output) rows.push(["target t", fixed(back.target), targetNote(state, trace)]);
    if (back.cost_slope === null) {
      const value = back.formulas.delta === "a − t" ? aMinusT() : formatNumber(back.delta);
      rows.push([`dC/dz = ${back.formulas.delta}`, value, "softmax couples the outputs, so dC/dz comes whole"]);
    } else {
      let slopeValue = formatNumber(back.cost_slope);
      if (!back.is_output) slopeValue = fixed(back.cost_slope);
      else if (back.formulas.cost_slope === "a − t") slopeValue = aMinusT();
      rows.push([`dC/da = ${back.formulas.cost_slope}`, slopeValue, back.is_output ? "how the cost changes with a"
                 : "what the neurons it feeds pass back: the sum of the terms below"],
                [`f′(z) = ${back.formulas.slope}`, formatNumber(back.slope), "the activation's slope at z"],
                [`dC/dz = ${back.formulas.delta}`, formatNumber(back.delta), "how much the cost changes per unit of z"]);
    }
    rows.push(["dC/dwᵢ = dC/dz · aᵢ", back.weight_grads.map((/** @type {number} */ g) => formatNumber(g)).join(", "),
               ""], ["dC/db = dC/dz", formatNumber(back.bias_grad), ""]);
    return rows;
  }

  /** The output's target in words: which class, in the output activation's terms. @param {any} state @param {any} trace */
  function targetNote(state, trace) {
    const { hello, session } = state;
    const problem = session?.problem ?? "binary";
    if (problem === "regression") return "the point's value";
    const kind = optionLabel(hello, "output_activation", trace.neuron.activation);
    if (problem === "multiclass") {
      return `class ${trace.label}, one-hot: 1 for its own output, 0 for the others (${kind})`;
    }
    return `class ${trace.label} as a ${kind} output's target`;
  }

  /** @param {any} state @param {any} trace */
  function renderBackward(state, trace) {
    const rows = backwardRows(state, trace);
    const feeds = trace.neuron.backward?.feeds ?? null;
    const key = JSON.stringify([rows, feeds, trace.neuron.backward?.decimals]);
    if (backward.dataset.key === key) return;
    backward.dataset.key = key;
    const list = el("dl", "neuron-facts");
    for (const [name, value, note] of rows) {
      const item = el("div", "neuron-fact");
      const term = el("dt", "", name);
      const description = el("dd");
      if (value) description.append(el("span", "neuron-value", value));
      if (note) description.append(el("span", "neuron-note", value ? ` (${note})` : note));
      item.append(term, description);
      list.append(item);
    }
    backward.replaceChildren(list);
    if (feeds) backward.append(feedsTable(state, trace.neuron, feeds));
  }

  /**
   * The terms wₖ · dC/dzₖ of the neurons a hidden neuron feeds, and their sum dC/da.
   * @param {any} state @param {any} neuron @param {any[]} feeds
   */
  function feedsTable(state, neuron, feeds) {
    const back = neuron.backward;
    const table = el("table", "neuron-table neuron-feeds");
    table.append(el("caption", "", "dC/da, one layer back: Σₖ wₖ · dC/dzₖ"));
    const head = el("tr");
    for (const text of ["feeds", "wₖ", "dC/dzₖ", "wₖ · dC/dzₖ"]) {
      const th = el("th", "neuron-right", text);
      th.setAttribute("scope", "col");
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const feed of feeds) {
      const row = el("tr");
      const name = el("th", "neuron-feed", neuronName(state.hello, state.session, neuron.layer + 1, feed.index));
      name.setAttribute("scope", "row");
      const term = el("td", "neuron-value", formatFixed(feed.term, back.decimals));
      term.dataset.term = `feed-${feed.index}`;
      row.append(name, el("td", "neuron-value", formatNumber(feed.weight)),
                 el("td", "neuron-value", formatNumber(feed.delta)), term);
      body.append(row);
    }
    const total = el("tr", "neuron-sum");
    const name = el("th", "neuron-feed", `Σ ${back.is_exact ? "=" : "≈"} dC/da`);
    name.setAttribute("scope", "row");
    const sum = el("td", "neuron-value", formatFixed(back.cost_slope, back.decimals));
    sum.dataset.term = "feeds-sum";
    sum.colSpan = 3;
    total.append(name, sum);
    body.append(total);
    table.append(thead, body);
    return table;
  }

  /** @param {any} trace */
  function renderUpdateBox(trace) {
    const update = trace.neuron.backward?.update;
    updateBox.hidden = !update;
    if (!update) return;
    const note = updateNote(update, update.batch_rows);
    if (updateNoteText.textContent !== note) updateNoteText.textContent = note;
    builtUpdate = renderUpdate(updateTable, builtUpdate, update);
  }

  /** @param {any} state */
  function renderTrace(state) {
    const trace = state.frame?.header.trace;
    const hasTrace = Boolean(trace?.neuron);
    empty.hidden = hasTrace;
    lead.hidden = body.hidden = close.hidden = !hasTrace;
    dock?.classList.toggle("is-docked", hasTrace);
    if (!hasTrace) {
      shapeKey = "";
      return;
    }
    const neuron = trace.neuron;
    const key = JSON.stringify([neuron.layer, neuron.index, neuron.inputs.length, neuron.activation,
                                state.session?.config?.features]);
    if (key !== shapeKey || !slots) {
      const built = buildNeuronTable(state.hello, state.session, neuron);
      scroll.replaceChildren(built.table, built.slots.note);
      slots = built.slots;
      shapeKey = key;
    }
    fillNeuronTable(slots, neuron);
    renderLead(state, trace);
    renderBackward(state, trace);
    renderUpdateBox(trace);
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.frame === previous.frame && state.session === previous.session && state.hello === previous.hello) return;
      renderTrace(state);
    },
  };
}
