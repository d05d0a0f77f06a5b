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
import { keyed, t } from "../../i18n.js";
import { termButton, withTerms } from "../controls/terms.js";

/** How to choose what is shown. */
const HINT = "neuron.hint";
/** Said in place of the backward pass for a point without a label. */
const NO_LABEL = "neuron.no_label";
/** What a neuron does, shown while nothing is selected. */
const INTRO = "neuron.intro";

/** The three parts' headings: the concept each names (a term button: glossary id, its words), and the
 * heading's text around it where there is more than the term. */
const HEADING_TERMS = {
  forward: ["forward pass", "neuron.forward"],
  backward: ["backpropagation", "neuron.backward_term", "neuron.backward"],
  update: ["gradient descent", "neuron.update_term", "neuron.update"],
};

/**
 * A heading whose concept is a term button; `words()` words it again in the page's language.
 * @param {string[]} heading one of HEADING_TERMS
 * @returns {{node: HTMLElement, words: () => void}}
 */
function headingOf([id, term, text]) {
  const node = el("h3", "neuron-heading");
  const button = termButton(id, { key: term });
  const words = () => node.replaceChildren(...(text ? withTerms(text, { term: button }) : [button]));
  words();
  return { node, words };
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
  const hint = keyed(el("p", "neuron-hint"), HINT);
  const scroll = el("div", "neuron-scroll");
  scroll.tabIndex = 0;
  scroll.setAttribute("role", "region");
  scroll.setAttribute("data-i18n-aria-label", "neuron.arithmetic");
  scroll.setAttribute("aria-label", t("neuron.arithmetic"));
  const forward = el("section", "neuron-forward");
  const headings = [headingOf(HEADING_TERMS.forward), headingOf(HEADING_TERMS.backward), headingOf(HEADING_TERMS.update)];
  forward.append(headings[0].node, scroll);
  const backward = el("div", "neuron-backward");
  const backwardBox = el("section", "neuron-backward-box");
  backwardBox.append(headings[1].node, backward);
  const updateNoteText = el("p", "neuron-note neuron-update-note");
  const updateTable = el("div", "neuron-scroll");
  const updateBox = el("section", "neuron-update-box");
  updateBox.append(headings[2].node, updateNoteText, updateTable);
  const body = el("div", "neuron-body");
  body.append(forward, backwardBox, updateBox);
  const close = el("button", "neuron-close", "×");
  close.setAttribute("type", "button");
  close.setAttribute("data-i18n-aria-label", "neuron.close");
  close.setAttribute("aria-label", t("neuron.close"));
  close.addEventListener("click", () => send(commands.selectSample(null)));
  const dock = element.closest(".panel-neuron");
  const empty = el("div", "neuron-empty");
  const button = keyed(el("button", "neuron-pick"), "neuron.pick");
  button.setAttribute("type", "button");
  button.addEventListener("click", () => send(commands.selectSample("train", 0)));
  empty.append(keyed(el("p", ""), INTRO), button);
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
    const where = `(${formatNumber(trace.point[0])}; ${formatNumber(trace.point[1])})`;
    const which = trace.part === "point" ? t("neuron.the_point")
      : t(trace.part === "train" ? "neuron.training_point" : "neuron.test_point", { index: trace.index });
    return t("neuron.lead", { name: `${name[0].toUpperCase()}${name.slice(1)}`, kind, which, where });
  }

  /** @param {any} state @param {any} trace */
  function renderLead(state, trace) {
    lead.replaceChildren(leadText(state, trace));
    if (trace.label === null || trace.label === undefined) return;
    const problem = state.session?.problem;
    if (problem === "regression") {
      lead.append(t("neuron.target", { value: formatNumber(trace.label) }));
      return;
    }
    const nClasses = state.session?.n_classes ?? 2;
    const colour = nClasses <= 2 ? `${t(trace.label >= 1 ? "colour.blue" : "colour.orange")} / ` : "";
    lead.append(t("neuron.label"), classSwatch(trace.label, nClasses), `${colour}${t("neuron.class", { label: trace.label })}`);
  }

  /** @param {any} state @param {any} trace @returns {string[][]} name, value, note */
  function backwardRows(state, trace) {
    const neuron = trace.neuron;
    const output = trace.output.map((/** @type {number} */ value) => formatNumber(value)).join(", ");
    const rows = [[t("neuron.network_output"), output, ""]];
    if (!neuron.backward) {
      rows.push([t("neuron.backward_pass"), "", t(NO_LABEL)]);
      return rows;
    }
    const back = neuron.backward;
    const fixed = (/** @type {number} */ value) => formatFixed(value, back.decimals);
    const equals = back.is_exact ? "=" : "≈";
    const aMinusT = () => `${fixed(neuron.a)} − ${bracket(fixed(back.target))} ${equals} ${fixed(back.a_minus_t)}`;
    rows.push([t("neuron.cost_here"), formatNumber(trace.cost), back.is_output ? t("neuron.cost_term") : ""]);
    if (back.is_output) rows.push([t("neuron.target_t"), fixed(back.target), targetNote(state, trace)]);
    if (back.cost_slope === null) {
      const value = back.formulas.delta === "a − t" ? aMinusT() : formatNumber(back.delta);
      rows.push([`dC/dz = ${back.formulas.delta}`, value, t("neuron.softmax_whole")]);
    } else {
      let slopeValue = formatNumber(back.cost_slope);
      if (!back.is_output) slopeValue = fixed(back.cost_slope);
      else if (back.formulas.cost_slope === "a − t") slopeValue = aMinusT();
      rows.push([`dC/da = ${back.formulas.cost_slope}`, slopeValue, t(back.is_output ? "neuron.cost_slope_output"
                 : "neuron.cost_slope_hidden")],
                [`f′(z) = ${back.formulas.slope}`, formatNumber(back.slope), t("neuron.slope")],
                [`dC/dz = ${back.formulas.delta}`, formatNumber(back.delta), t("neuron.delta")]);
    }
    rows.push(["dC/dwᵢ = dC/dz · aᵢ", back.weight_grads.map((/** @type {number} */ g) => formatNumber(g)).join(", "),
               ""], ["dC/db = dC/dz", formatNumber(back.bias_grad), ""]);
    return rows;
  }

  /** The output's target in words: which class, in the output activation's terms. @param {any} state @param {any} trace */
  function targetNote(state, trace) {
    const { hello, session } = state;
    const problem = session?.problem ?? "binary";
    if (problem === "regression") return t("neuron.target_value");
    const kind = optionLabel(hello, "output_activation", trace.neuron.activation);
    if (problem === "multiclass") return t("neuron.target_one_hot", { label: trace.label, kind });
    return t("neuron.target_class", { label: trace.label, kind });
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
    table.append(el("caption", "", t("neuron.feeds_caption")));
    const head = el("tr");
    for (const text of [t("neuron.feeds"), "wₖ", "dC/dzₖ", "wₖ · dC/dzₖ"]) {
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
      if (state.frame === previous.frame && state.session === previous.session && state.hello === previous.hello
          && state.language === previous.language) return;
      if (state.language !== previous.language) {
        shapeKey = "";
        for (const heading of headings) heading.words();
      }
      renderTrace(state);
    },
  };
}
