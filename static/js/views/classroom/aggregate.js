// @ts-check
/**
 * The class as a repeated experiment: a histogram of the test accuracy (or R²) of the students' own
 * runs that trained at least an epoch, and counts such as "2 runs diverged" and "1 hand up", from the
 * `aggregate` of the latest binary `class` message (the server counts; the page only draws). The bars
 * are elements with their count as text, so a screen reader and the projector read the same figures.
 */
import { el } from "../controls/dom.js";
import { formatTick } from "../../lib/format.js";
import { CLASS_KEY, CLASS_TEXT } from "./strings.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{students: number, forked: number, following: number, diverged: number, goal_met: number,
 *   hands: number, accuracy_histogram: {edges: number[], counts: number[]}}} Aggregate
 */

/**
 * The lines under the histogram: only the counts that say something (no "0 hands up").
 * @param {Aggregate} aggregate
 * @returns {string[]}
 */
export function countLines(aggregate) {
  return [
    CLASS_TEXT.students(aggregate.students),
    CLASS_TEXT.forkedCount(aggregate.forked),
    CLASS_TEXT.followingCount(aggregate.following),
    aggregate.diverged > 0 ? CLASS_TEXT.divergedCount(aggregate.diverged) : "",
    aggregate.goal_met > 0 ? CLASS_TEXT.goalMetCount(aggregate.goal_met) : "",
    aggregate.hands > 0 ? CLASS_TEXT.handsCount(aggregate.hands) : "",
  ].filter(Boolean);
}

/**
 * One bar per bin: its range and lower edge (in % for accuracy) and height as a share of the tallest.
 * @param {{edges: number[], counts: number[]}} histogram
 * @param {boolean} isPercent
 * @returns {{range: string, low: string, count: number, height: number}[]}
 */
export function bars(histogram, isPercent) {
  const tallest = Math.max(1, ...histogram.counts);
  const tick = (/** @type {number} */ value) => (isPercent ? `${formatTick(value * 100)}%` : formatTick(value));
  return histogram.counts.map((count, i) => ({
    range: `${tick(histogram.edges[i])}–${tick(histogram.edges[i + 1])}`, low: tick(histogram.edges[i]), count,
    height: count / tallest,
  }));
}

/**
 * @param {HTMLElement} slot the class panel
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createAggregate(slot) {
  const title = el("h3", { class: "class-aggregate-title" });
  const chart = el("ol", { class: "class-histogram", role: "list" });
  const counts = el("ul", { class: "class-counts", "data-counts": "" });
  const box = el("section", { class: "class-aggregate", i18nLabel: CLASS_KEY.aggregateLabel, hidden: true },
    [title, chart, counts]);
  slot.append(box);

  return {
    render(state, previous) {
      if (state.classView === previous.classView && state.language === previous.language) return;
      /** @type {Aggregate | undefined} */
      const aggregate = state.classView?.aggregate;
      box.hidden = !aggregate;
      if (!aggregate) return;
      const tiles = state.classView?.tiles ?? [];
      const isR2 = tiles.some((/** @type {any} */ tile) => tile.mode === "forked" && tile.metric === "r2");
      title.textContent = CLASS_TEXT.histogramLabel(isR2);
      chart.replaceChildren(...bars(aggregate.accuracy_histogram, !isR2).map((bar) => el("li", {
        class: "class-bin", "data-count": bar.count, title: CLASS_TEXT.histogramBar(bar.range, bar.count),
        style: `--bin-height: ${bar.height}`,
      }, [el("span", { class: "class-bin-count", text: String(bar.count) }),
        el("span", { class: "class-bin-bar", "aria-hidden": "true" }),
        el("span", { class: "class-bin-range", text: bar.low, "aria-hidden": "true" })])));
      counts.replaceChildren(...countLines(aggregate).map((line) => el("li", { text: line })));
    },
  };
}
