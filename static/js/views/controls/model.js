// @ts-check
/**
 * The Model panel: output activation and cost (only the pairs the problem
 * type allows, from `hello.problems`), the cost's formula, initialisation and
 * optimizer with their descriptions, and the weight seed with New weights.
 */
import { commands } from "../../protocol.js";
import { button, configSelect, el, helpWithDefault, seedControl } from "./dom.js";
import { namedChoices } from "./hyper.js";
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
  const output = configSelect("output_activation", "Output activation", configure);
  const cost = configSelect("cost", "Cost", configure);
  const init = configSelect("init", "Initialisation", configure);
  const optimizer = configSelect("optimizer", "Optimizer", configure);
  const formula = el("p", { class: "formula", "aria-label": "Cost formula" });
  const initNote = el("p", { class: "note" });
  const optimizerNote = el("p", { class: "note" });
  cost.root.append(formula);
  init.root.append(initNote);
  optimizer.root.append(optimizerNote);

  const newWeights = button("New weights", "Draw new starting weights (a new weight seed) and reset",
    () => send(commands.newWeights()));
  const seed = seedControl("seed", "Weight seed", configure, newWeights);

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
    initNote.textContent = find(hello.options.init, config.init)?.description ?? "";
    optimizerNote.textContent = find(hello.options.optimizer, config.optimizer)?.description ?? "";
    seed.show(config.seed);
  }

  return {
    render(state, previous) {
      if (!state.hello) return;
      if (state.hello !== previous.hello) {
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
      if (state.session && (isEcho || state.hello !== previous.hello)) show(state.session);
    },
  };
}
