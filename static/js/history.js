// @ts-check
/**
 * The cost history the chart draws. The server keeps the run's history and
 * sends it whole in a binary `history` message (on connect, after a restart,
 * after an import); the page replaces its copy with it and then appends one
 * point per received frame. Both sides thin the same way when full, so a
 * long run keeps its shape. Pure functions, no DOM.
 */

/** Longest cost history kept for the chart (the server's limit too, see docs/protocol.md). */
export const MAX_HISTORY = 2000;
/** Bits of `history.present`: which of a point's four figures are known. */
const PRESENT_BITS = { train: 1, test: 2, trainMetric: 4, testMetric: 8 };

/**
 * @typedef {{step: number, epoch: number, train: number|null, test: number|null,
 *            trainMetric: number|null, testMetric: number|null}} HistoryPoint
 * @typedef {"accuracy" | "r2"} MetricName
 */

/**
 * The points of a binary `history` message.
 * @param {import("./protocol.js").BinaryMessage} message
 * @returns {HistoryPoint[]}
 */
export function historyFromMessage(message) {
  const { step, epoch, train_cost, test_cost, train_metric, test_metric, present } = message.arrays;
  const length = message.header.length ?? step.length;
  /** @type {HistoryPoint[]} */
  const points = [];
  for (let i = 0; i < length; i++) {
    const bits = present[i];
    /** @param {keyof typeof PRESENT_BITS} key @param {ArrayLike<number>} values */
    const known = (key, values) => (bits & PRESENT_BITS[key] && Number.isFinite(values[i]) ? values[i] : null);
    points.push({
      step: step[i], epoch: epoch[i],
      train: known("train", train_cost), test: known("test", test_cost),
      trainMetric: known("trainMetric", train_metric), testMetric: known("testMetric", test_metric),
    });
  }
  return points;
}

/**
 * The mean of two figures that may be unknown: the known one when only one is.
 * @param {number|null} a @param {number|null} b
 */
function mean(a, b) {
  if (a === null) return b;
  if (b === null) return a;
  return (a + b) / 2;
}

/**
 * Neighbouring points of the older half merged pairwise (their mean, at the later step).
 * @param {HistoryPoint[]} history
 * @returns {HistoryPoint[]}
 */
export function thin(history) {
  const half = Math.floor(history.length / 2);
  /** @type {HistoryPoint[]} */
  const merged = [];
  for (let i = 0; i + 1 < half; i += 2) {
    const [a, b] = [history[i], history[i + 1]];
    merged.push({
      step: b.step, epoch: b.epoch, train: mean(a.train, b.train), test: mean(a.test, b.test),
      trainMetric: mean(a.trainMetric, b.trainMetric), testMetric: mean(a.testMetric, b.testMetric),
    });
  }
  const rest = half % 2 ? history.slice(half - 1) : history.slice(half);
  return [...merged, ...rest];
}

/**
 * The history with one frame's figures appended. A frame whose step is not past the last
 * point adds nothing; one whose step went back (a restart the history has not described yet)
 * starts the history again.
 * @param {HistoryPoint[]} history
 * @param {any} header frame header
 * @param {MetricName} metric
 * @returns {HistoryPoint[]}
 */
export function appendFrame(history, header, metric) {
  const last = history[history.length - 1];
  if (last && header.step < last.step) history = [];
  else if (last && header.step === last.step) return history;
  const next = [...history, {
    step: header.step, epoch: header.epoch, train: header.train.cost, test: header.test.cost,
    trainMetric: header.train[metric] ?? null, testMetric: header.test[metric] ?? null,
  }];
  return next.length > MAX_HISTORY ? thin(next) : next;
}
