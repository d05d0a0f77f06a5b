// @ts-check
/**
 * The training settings in the top bar: learning rate, hidden activation,
 * regularization and its rate, and the problem type (which picks the first
 * dataset of that type). Options, labels and help come from `hello`; each
 * select shows the value the server echoes.
 */
import { commands } from "../../protocol.js";
import { formatRate } from "../../lib/format.js";
import { configSelect, helpWithDefault, problemChoices } from "./dom.js";
import { markLabel } from "./terms.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {import("./dom.js").Choice} Choice
 */

/** @param {number[]} rates @returns {Choice[]} */
const rateChoices = (rates) => rates.map((rate) => ({ value: String(rate), label: formatRate(rate) }));

/** @param {{name: string, label: string, description?: string}[]} options @returns {Choice[]} */
export const namedChoices = (options) =>
  options.map((o) => ({ value: o.name, label: o.label, title: o.description }));

/**
 * @param {HTMLElement} element the #hyper group
 * @param {{send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createHyper(element, { send }) {
  const configure = (/** @type {Record<string, unknown>} */ changes) => send(commands.configure(changes));
  const learningRate = configSelect("learning_rate", "Learning rate", configure, Number);
  const activation = configSelect("activation", "Activation", configure);
  const regularization = configSelect("regularization", "Regularization", configure);
  const regularizationRate = configSelect("regularization_rate", "Reg. rate", configure, Number);
  /** @type {Record<string, string>} first dataset of each problem type */
  let firstDataset = {};
  const problem = configSelect("problem", "Problem type", (changes) => {
    const dataset = firstDataset[String(changes.problem)];
    if (dataset) configure({ dataset });
  });
  markLabel(learningRate.root, "learning rate");
  markLabel(activation.root, "activation", "activation");
  markLabel(regularization.root, "regularisation", "regularization");
  markLabel(regularizationRate.root, "regularisation rate");
  markLabel(problem.root, "problem type", "problem");
  element.append(learningRate.root, activation.root, regularization.root, regularizationRate.root, problem.root);

  /** @param {any} hello */
  function fill(hello) {
    const { fields, options } = hello;
    learningRate.fill(rateChoices(options.learning_rate), helpWithDefault(fields.learning_rate, formatRate));
    activation.fill(namedChoices(options.activation), helpWithDefault(fields.activation));
    regularization.fill(namedChoices(options.regularization), helpWithDefault(fields.regularization));
    regularizationRate.fill(rateChoices(options.regularization_rate),
      helpWithDefault(fields.regularization_rate, formatRate));
    firstDataset = {};
    for (const dataset of options.dataset) firstDataset[dataset.problem] ??= dataset.name;
    problem.fill(problemChoices(hello),
      "Binary classification, several classes, or a number to predict. Picks the first dataset of that type.");
  }

  /** @param {any} session */
  function show(session) {
    const config = session.config;
    learningRate.show(config.learning_rate);
    activation.show(config.activation);
    regularization.show(config.regularization);
    regularizationRate.show(config.regularization_rate);
    regularizationRate.select.disabled = config.regularization === "none";
    problem.show(session.problem);
  }

  return {
    render(state, previous) {
      if (!state.hello) return;
      if (state.hello !== previous.hello) fill(state.hello);
      const isEcho = state.session !== previous.session || state.error !== previous.error;
      if (state.session && (isEcho || state.hello !== previous.hello)) show(state.session);
    },
  };
}
