// @ts-check
/**
 * The live channel: one websocket, reconnected with backoff, no DOM.
 * JSON messages and `dataset` messages are handed on at once, in order.
 * Frames are coalesced: only the newest is kept and it is delivered once per
 * animation frame, so a burst of frames costs one redraw. The address is a
 * function, asked again on every attempt, so a retry opens the run the page
 * holds now (a resumed session, a fork, a class).
 *
 * A connection can die without a close event (a laptop leaves the Wi-Fi, a
 * proxy drops it): the browser says it went offline, or frames stop while
 * the run is playing. Either way the socket is given up at once (`onStall`)
 * and a new one is opened, so the page says "reconnecting" instead of
 * showing a frozen picture as live.
 */
import { decodeBinary, keepArrays } from "./protocol.js";

const FIRST_RETRY_MS = 500; // wait before the first reconnection attempt
const MAX_RETRY_MS = 8000; // longest wait between attempts
const STALL_MS = 4000; // no message for this long while frames are expected: the connection is dead
const LIVENESS_CHECK_MS = 500; // how often that is checked

/**
 * @typedef {{
 *   onOpen?: () => void,
 *   onClose?: (code: number) => void,
 *   onMessage: (message: any) => void,
 *   onBinary: (message: import("./protocol.js").BinaryMessage) => void,
 *   onStall?: () => void,
 *   isExpectingFrames?: () => boolean,
 * }} Handlers `onStall`: the open socket was given up as dead (no close event came);
 *   `isExpectingFrames`: whether the server should be sending frames now (the run plays)
 */

/**
 * @param {() => string} url the address to open, asked on every attempt
 * @param {Handlers} handlers
 * @param {number[]} finalCodes close codes after which no retry follows
 * @returns {{send: (command: import("./protocol.js").Command) => boolean, reconnect: () => void, close: () => void}}
 */
export function connect(url, handlers, finalCodes = []) {
  /** @type {WebSocket | null} */
  let socket = null;
  let retryMs = FIRST_RETRY_MS;
  let isClosed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
  /** @type {import("./protocol.js").BinaryMessage | null} */
  let newestFrame = null;
  let isFrameScheduled = false;
  let lastHeardAt = Date.now();

  function deliverFrame() {
    isFrameScheduled = false;
    const frame = newestFrame;
    newestFrame = null;
    if (frame) handlers.onBinary(frame);
  }

  function open() {
    const current = new WebSocket(url());
    socket = current;
    newestFrame = null;
    current.binaryType = "arraybuffer";
    current.onopen = () => {
      retryMs = FIRST_RETRY_MS;
      lastHeardAt = Date.now();
      handlers.onOpen?.();
    };
    current.onmessage = (event) => {
      if (current !== socket) return;
      lastHeardAt = Date.now();
      if (typeof event.data === "string") {
        handlers.onMessage(JSON.parse(event.data));
        return;
      }
      const message = decodeBinary(event.data);
      if (message.header.type !== "frame") {
        // A waiting frame came first: hand it on first, so a history never precedes an older frame.
        deliverFrame();
        handlers.onBinary(message);
        return;
      }
      newestFrame = keepArrays(message, newestFrame); // a dropped frame's maps are the newest the page has
      if (!isFrameScheduled) {
        isFrameScheduled = true;
        requestAnimationFrame(deliverFrame);
      }
    };
    current.onclose = (event) => {
      if (current !== socket) return; // replaced by reconnect(): its successor speaks for the page
      handlers.onClose?.(event.code);
      if (isClosed || finalCodes.includes(event.code)) return;
      retryTimer = setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
  }

  /** Give up an open socket that stopped answering: say so now, and open a new one. */
  function stall() {
    if (isClosed || !socket || socket.readyState !== WebSocket.OPEN) return;
    const dead = socket;
    socket = null; // its late close event speaks for nobody
    handlers.onStall?.();
    dead.close();
    retryTimer = setTimeout(open, FIRST_RETRY_MS);
  }

  const liveness = setInterval(() => {
    if (socket?.readyState === WebSocket.OPEN && handlers.isExpectingFrames?.()
        && Date.now() - lastHeardAt > STALL_MS) stall();
  }, LIVENESS_CHECK_MS);
  window.addEventListener("offline", stall);
  // Back online: try now rather than at the end of a backoff.
  const retryNow = () => {
    if (isClosed || socket?.readyState === WebSocket.OPEN || socket?.readyState === WebSocket.CONNECTING) return;
    clearTimeout(retryTimer);
    retryMs = FIRST_RETRY_MS;
    open();
  };
  window.addEventListener("online", retryNow);

  open();
  return {
    send(command) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(command));
      return true;
    },
    /** Open the current address now, on a new socket (after a fork, to go back to a class, to take a run back). */
    reconnect() {
      clearTimeout(retryTimer);
      const old = socket;
      retryMs = FIRST_RETRY_MS;
      open();
      old?.close();
    },
    close() {
      isClosed = true;
      clearInterval(liveness);
      window.removeEventListener("offline", stall);
      window.removeEventListener("online", retryNow);
      clearTimeout(retryTimer);
      socket?.close();
    },
  };
}
