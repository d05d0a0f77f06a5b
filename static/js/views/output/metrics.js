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
import { keyed, t } from "../../i18n.js";

/** Significant digits of the two big cost figures. */
const COST_DIGITS = 3;

/**
 * @param {HTMLElement} element
 * @param {{store: any}} context
 */
export function createMetricsView(element, { store }) {
  const figures = el("div", "metrics-figures");
  const test = figure("metrics.test_cost", "test");
  const train = figure("metrics.training_cost", "train");
  figures.append(test.box, train.box);
  const notes = el("div", "metrics-notes");
  const costName = el("p", "metrics-cost");
  const penalty = el("p", "metrics-penalty");
  penalty.hidden = true;
  const confusionNote = keyed(el("p", "metrics-cost"), "metrics.confusion_note");
  confusionNote.setAttribute("aria-hidden", "true");
  notes.append(costName, penalty, confusionNote);
  const confusionBox = el("div", "metrics-confusion");
  const confusion = createConfusionTable(confusionBox);
  const second = el("div", "metrics-second");
  second.append(notes, confusionBox);
  element.classList.add("metrics");
  element.append(figures, second);

  /** @param {string} name catalogue key @param {string} part */
  function figure(name, part) {
    const box = el("div", "metric");
    box.dataset.part = part;
    const value = el("output", "metric-value", "—");
    value.dataset.metric = `${part}-cost`;
    value.setAttribute("data-i18n-aria-label", name);
    value.setAttribute("aria-label", t(name));
    const details = el("div", "metric-details");
    box.append(keyed(el("span", "metric-name"), name), value, details);
    return { box, value, details };
  }

  /**
   * @param {{value: HTMLElement, details: HTMLElement}} target
   * @param {any} figures the frame's train or test figures
   * @param {string} problem
   */
  function fill(target, figures, problem) {
    target.value.textContent = formatNumber(figures?.cost, COST_DIGITS);
    const text = problem === "regression"
      ? `RMSE ${formatNumber(figures?.rmse)} · R² ${formatNumber(figures?.r2)}`
      : t("metrics.accuracy", { value: formatPercent(figures?.accuracy) });
    if (target.details.textContent !== text) target.details.textContent = text;
  }

  /** @param {any} state */
  function renderCostName(state) {
    const name = state.session?.config?.cost;
    if (!name) return;
    const option = state.hello?.options?.cost?.find((/** @type {any} */ entry) => entry.name === name);
    costName.textContent = t("metrics.cost", { name: optionLabel(state.hello, "cost", name) });
    costName.title = option?.formula ?? "";
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      const isNewWords = state.hello !== previous.hello || state.language !== previous.language;
      if (state.session !== previous.session || isNewWords) renderCostName(state);
      if (state.frame === previous.frame && state.session === previous.session && !isNewWords) return;
      const header = state.frame?.header;
      const problem = state.session?.problem ?? "binary";
      fill(test, header?.test, problem);
      fill(train, header?.train, problem);
      const extra = header?.penalty ?? 0;
      penalty.hidden = !(extra > 0);
      if (extra > 0) penalty.textContent = t("metrics.penalty", { value: formatNumber(extra) });
      const isClassification = problem !== "regression";
      confusion.update(isClassification ? header?.test?.confusion : null);
      confusionNote.hidden = !isClassification || !header?.test?.confusion;
    },
  };
}
