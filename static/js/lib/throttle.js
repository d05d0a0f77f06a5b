// @ts-check
/**
 * A value that changes often (the hovered neuron) sent at most every
 * `intervalMs`: a change is sent at once when the last send is old enough,
 * else once the interval has passed, and then only the latest value, and
 * only if it differs from the last one sent. No DOM.
 */

/**
 * @template T
 * @param {number} intervalMs shortest time between two deliveries
 * @param {(value: T) => void} deliver
 * @param {T} initial the value the receiver is assumed to hold already
 * @param {() => number} [now] clock in ms
 * @returns {{push: (value: T) => void, reset: (value: T) => void}}
 */
export function latestEvery(intervalMs, deliver, initial, now = () => performance.now()) {
  let sentKey = JSON.stringify(initial);
  let lastAt = -Infinity;
  /** @type {T} */
  let pending = initial;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  function flush() {
    timer = undefined;
    const key = JSON.stringify(pending);
    if (key === sentKey) return;
    sentKey = key;
    lastAt = now();
    deliver(pending);
  }

  return {
    push(value) {
      pending = value;
      if (timer !== undefined) return;
      const wait = lastAt + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    /** Forget what was sent (a new connection): the receiver now holds `value`. */
    reset(value) {
      clearTimeout(timer);
      timer = undefined;
      pending = value;
      sentKey = JSON.stringify(value);
    },
  };
}
