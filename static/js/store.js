// @ts-check
/**
 * The page's single state container. Model state (hello, session, dataset,
 * frame) is replaced wholesale by what the server sends; UI state (hover,
 * toggles, selections) lives under `ui`. Views never mutate state: they call
 * `update` or send a command.
 */

/**
 * @template T
 * @param {T} initial
 * @returns {{get: () => T, update: (patch: Partial<T> | ((state: T) => Partial<T>)) => void,
 *            subscribe: (listener: (state: T, previous: T) => void) => () => void}}
 */
export function createStore(initial) {
  let state = initial;
  /** @type {Set<(state: T, previous: T) => void>} */
  const listeners = new Set();
  return {
    get: () => state,
    update(patch) {
      const previous = state;
      const changes = typeof patch === "function" ? patch(state) : patch;
      state = { ...state, ...changes };
      for (const listener of listeners) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
