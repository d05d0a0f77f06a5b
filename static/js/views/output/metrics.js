// @ts-check
/**
 * The figures above the cost chart: test and training cost as big numbers,
 * accuracy (classification) or RMSE and R² (regression), the regularization
 * penalty when there is one, the chosen cost function, and the test set's
 * confusion matrix. Every figure is the server's; null shows "—".
 */
import { createConfusionTable } from "./confusion.js";
import { el } from "./caption.js";
import { formatNumber, formatPercent } from "../../lib/format.js";
import { optionLabel } from "../../lib/labels.js";
import { termButton } from "../controls/terms.js";

/** Significant digits of the two big cost figures. */
const COST_DIGITS = 3;
/** The glossary ids of the figures' names: the two costs, and the figures under them. */
const FIGURE_TERMS = { test: "test cost", train: "training cost", accuracy: "accuracy", rmse: "rmse", r2: "r²" };
/** The chosen cost's line: "Cost: Mean squared error", its first word a term button. */
const COST_TERM = "Cost";
/** The confusion table's name (a term button) and how to read it. */
const CONFUSION_TERM = "Confusion matrix";
const CONFUSION_NOTE = "Test points by true class (rows) and predicted class (columns).";

/**
 * @param {HTMLElement} element
 * @param {{store: any}} context
 */
export function createMetricsView(element, { store }) {
  const figures = el("div", "metrics-figures");
  const test = figure("Test cost", "test");
  const train = figure("Training cost", "train");
  figures.append(test.box, train.box);
  const notes = el("div", "metrics-notes");
  const costName = el("p", "metrics-cost");
  const costValue = el("span", "metrics-cost-name");
  costName.append(termButton("cost", COST_TERM, "cost"), ": ", costValue);
  const penalty = el("p", "metrics-penalty");
  penalty.hidden = true;
  const confusionNote = el("p", "metrics-cost");
  // The table reads itself out; only the term button is for assistive technology here.
  confusionNote.append(termButton("confusion matrix", CONFUSION_TERM), " ",
    Object.assign(el("span", "", CONFUSION_NOTE), { ariaHidden: "true" }));
  notes.append(costName, penalty, confusionNote);
  const confusionBox = el("div", "metrics-confusion");
  const confusion = createConfusionTable(confusionBox);
  const second = el("div", "metrics-second");
  second.append(notes, confusionBox);
  element.classList.add("metrics");
  element.append(figures, second);

  /** @param {string} name @param {"test" | "train"} part */
  function figure(name, part) {
    const box = el("div", "metric");
    box.dataset.part = part;
    const value = el("output", "metric-value", "—");
    value.dataset.metric = `${part}-cost`;
    value.setAttribute("aria-label", name);
    const details = el("div", "metric-details");
    const nameButton = termButton(FIGURE_TERMS[part], name);
    nameButton.classList.add("metric-name");
    box.append(nameButton, value, details);
    return { box, value, details, shown: "", values: /** @type {HTMLElement[]} */ ([]) };
  }

  /**
   * The figures under a cost, each named by a term button: "accuracy 84.0%", "RMSE 0.12 · R² 0.95".
   * The buttons are drawn again only when the problem type changes, so an open popover stays open.
   * @param {{value: HTMLElement, details: HTMLElement, shown: string, values: HTMLElement[]}} target
   * @param {any} figures the frame's train or test figures
   * @param {string} problem
   */
  function fill(target, figures, problem) {
    target.value.textContent = formatNumber(figures?.cost, COST_DIGITS);
    /** @type {[string, string, string][]} glossary id, name, value */
    const parts = problem === "regression"
      ? [[FIGURE_TERMS.rmse, "RMSE", formatNumber(figures?.rmse)], [FIGURE_TERMS.r2, "R²", formatNumber(figures?.r2)]]
      : [[FIGURE_TERMS.accuracy, "accuracy", formatPercent(figures?.accuracy)]];
    const key = parts.map((part) => part[0]).join();
    if (target.shown !== key) {
      target.values = parts.map(() => el("span", "metric-detail-value"));
      target.details.replaceChildren(...parts.flatMap(([id, name], i) =>
        [i ? " · " : "", termButton(id, name), " ", target.values[i]]));
      target.shown = key;
    }
    parts.forEach((part, i) => {
      if (target.values[i].textContent !== part[2]) target.values[i].textContent = part[2];
    });
  }

  /** @param {any} state */
  function renderCostName(state) {
    const name = state.session?.config?.cost;
    if (!name) return;
    const option = state.hello?.options?.cost?.find((/** @type {any} */ entry) => entry.name === name);
    costValue.textContent = optionLabel(state.hello, "cost", name);
    costName.title = option?.formula ?? "";
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.session !== previous.session || state.hello !== previous.hello) renderCostName(state);
      if (state.frame === previous.frame && state.session === previous.session) return;
      const header = state.frame?.header;
      const problem = state.session?.problem ?? "binary";
      fill(test, header?.test, problem);
      fill(train, header?.train, problem);
      const extra = header?.penalty ?? 0;
      penalty.hidden = !(extra > 0);
      if (extra > 0) penalty.textContent = `+${formatNumber(extra)} regularization penalty (not included above)`;
      const isClassification = problem !== "regression";
      confusion.update(isClassification ? header?.test?.confusion : null);
      confusionNote.hidden = !isClassification || !header?.test?.confusion;
    },
  };
}
