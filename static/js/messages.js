// @ts-check
/**
 * How server messages change the page's state: the one reducer between the
 * socket and the store. Model state is replaced as received; the cost
 * history for the chart is the only thing accumulated here, one point per
 * received frame, and it restarts when the step counter goes back.
 */

/** Longest cost history kept for the chart (older points are thinned). */
const MAX_HISTORY = 2000;

/**
 * @typedef {{step: number, epoch: number, train: number|null, test: number|null}} HistoryPoint
 * @typedef {{
 *   hoverNeuron: [number, number] | null,
 *   showTest: boolean,
 *   discretize: boolean,
 *   showGradients: boolean,
 *   hidden: string[],
 * }} UiState
 * @typedef {{
 *   connection: "connecting" | "open" | "closed",
 *   hello: any, session: any,
 *   dataset: import("./protocol.js").BinaryMessage | null,
 *   frame: import("./protocol.js").BinaryMessage | null,
 *   history: HistoryPoint[],
 *   error: {field: string, message: string, command: string|null, at: number} | null,
 *   ui: UiState,
 * }} State
 */

/** @returns {State} */
export function initialState() {
  return {
    connection: "connecting",
    hello: null,
    session: null,
    dataset: null,
    frame: null,
    history: [],
    error: null,
    ui: { hoverNeuron: null, showTest: false, discretize: false, showGradients: false, hidden: [] },
  };
}

/**
 * @param {HistoryPoint[]} history
 * @param {any} header frame header
 * @returns {HistoryPoint[]}
 */
function extendHistory(history, header) {
  const last = history[history.length - 1];
  if (last && header.step < last.step) history = [];
  else if (last && header.step === last.step) return history;
  const point = { step: header.step, epoch: header.epoch, train: header.train.cost, test: header.test.cost };
  const next = [...history, point];
  // Keep every other point of the older half when full, so long runs stay drawable.
  if (next.length > MAX_HISTORY) {
    const half = Math.floor(next.length / 2);
    return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
  }
  return next;
}

/**
 * Whether an accepted change answers the refused command on show (the same setting, now valid).
 * @param {State["error"]} error @param {any} session
 */
function isFixedBy(error, session) {
  return Boolean(error && session.changed?.includes(error.field.replace(/\[.*$/, "")));
}

/**
 * The state patch for a JSON message.
 * @param {State} state
 * @param {any} message
 * @returns {Partial<State>}
 */
export function onMessage(state, message) {
  switch (message.type) {
    case "hello":
      return { hello: message, history: [] };
    case "session":
      return { session: message, error: isFixedBy(state.error, message) ? null : state.error };
    case "error":
      return { error: { field: message.field, message: message.message, command: message.command, at: Date.now() } };
    default:
      return {};
  }
}

/**
 * The state patch for a binary message.
 * @param {State} state
 * @param {import("./protocol.js").BinaryMessage} message
 * @returns {Partial<State>}
 */
export function onBinary(state, message) {
  if (message.header.type === "dataset") return { dataset: message };
  if (message.header.type === "frame") return { frame: message, history: extendHistory(state.history, message.header) };
  return {};
}
