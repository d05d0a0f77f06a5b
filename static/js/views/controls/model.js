// @ts-check
/**
 * The Model panel: output activation and cost (only the pairs the problem
 * type allows, from `hello.problems`), the cost's formula, initialisation and
 * optimizer with their descriptions, and the weight seed with New weights.
 */
import { commands } from "../../protocol.js";
import { button, configSelect, el, helpWithDefault, seedControl } from "./dom.js";
import { namedChoices } from "./hyper.js";
import { optionText } from "../../i18n.js";
import { markLabel } from "./terms.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{name: string, label: string, description?: string, formula?: string}} Option
 */

/**
 * @param {HTMLElement} element the #advanced slot
 * @param {{send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createModelPanel(element, { send }) {
  const configure = (/** @type {Record<string, unknown>} */ changes) => send(commands.configure(changes));
  const output = configSelect("output_activation", "field.output_activation.label", configure);
  const cost = configSelect("cost", "field.cost.label", configure);
  const init = configSelect("init", "field.init.label", configure);
  const optimizer = configSelect("optimizer", "field.optimizer.label", configure);
  const formula = el("p", { class: "formula", i18nLabel: "control.cost_formula" });
  const initNote = el("p", { class: "note" });
  const optimizerNote = el("p", { class: "note" });
  cost.root.append(formula);
  init.root.append(initNote);
  optimizer.root.append(optimizerNote);

  const newWeights = button("transport.new_weights", "transport.new_weights_title",
    () => send(commands.newWeights()));
  const seed = seedControl("seed", "field.seed.label", configure, newWeights);

  markLabel(output.root, "activation", "output_activation");
  markLabel(cost.root, "cost", "cost");
  markLabel(init.root, "initialisation", "init");
  markLabel(optimizer.root, "optimizer", "optimizer");
  markLabel(seed.root, "seed");
  element.classList.add("model-panel");
  element.append(output.root, cost.root, init.root, optimizer.root, seed.root);

  /** @type {any} */
  let hello = null;
  /** @type {string | null} the problem whose choices are shown */
  let shownProblem = null;

  /** @param {Option[]} options @param {string[]} names */
  const only = (options, names) => names.map((name) => options.find((o) => o.name === name) ?? { name, label: name });
  /** @param {any} state @param {any} previous */
  const isNewWords = (state, previous) => state.hello !== previous.hello || state.language !== previous.language;

  /** @param {string} problem */
  function fillForProblem(problem) {
    const allowed = hello.problems[problem];
    if (!allowed) return;
    output.fill(namedChoices(only(hello.options.output_activation, allowed.output_activation)));
    cost.fill(namedChoices(only(hello.options.cost, allowed.cost)));
    shownProblem = problem;
  }

  /** @param {any} session */
  function show(session) {
    const config = session.config;
    if (session.problem !== shownProblem) fillForProblem(session.problem);
    output.show(config.output_activation);
    cost.show(config.cost);
    init.show(config.init);
    optimizer.show(config.optimizer);
    /** @param {Option[]} options @param {string} name */
    const find = (options, name) => options.find((o) => o.name === name);
    formula.textContent = find(hello.options.cost, config.cost)?.formula ?? "";
    initNote.textContent = optionText(find(hello.options.init, config.init), "description");
    optimizerNote.textContent = optionText(find(hello.options.optimizer, config.optimizer), "description");
    seed.show(config.seed);
  }

  return {
    render(state, previous) {
      if (!state.hello) return;
      if (isNewWords(state, previous)) {
        hello = state.hello;
        const { fields, options } = hello;
        shownProblem = null;
        output.root.title = output.select.title = helpWithDefault(fields.output_activation);
        cost.root.title = cost.select.title = helpWithDefault(fields.cost);
        init.fill(namedChoices(options.init), helpWithDefault(fields.init));
        optimizer.fill(namedChoices(options.optimizer), helpWithDefault(fields.optimizer));
        seed.describe(fields.seed);
      }
      const isEcho = state.session !== previous.session || state.error !== previous.error;
      if (state.session && (isEcho || isNewWords(state, previous))) show(state.session);
    },
  };
}
