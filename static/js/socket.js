// @ts-check
/**
 * The live channel: one websocket, reconnected with backoff, no DOM.
 * JSON messages and `dataset` messages are handed on at once, in order.
 * Frames are coalesced: only the newest is kept and it is delivered once per
 * animation frame, so a burst of frames costs one redraw.
 */
import { decodeBinary } from "./protocol.js";

const FIRST_RETRY_MS = 500; // wait before the first reconnection attempt
const MAX_RETRY_MS = 8000; // longest wait between attempts

/**
 * @typedef {{
 *   onOpen?: () => void,
 *   onClose?: () => void,
 *   onMessage: (message: any) => void,
 *   onBinary: (message: import("./protocol.js").BinaryMessage) => void,
 * }} Handlers
 */

/**
 * @param {string} url
 * @param {Handlers} handlers
 * @returns {{send: (command: import("./protocol.js").Command) => boolean, close: () => void}}
 */
export function connect(url, handlers) {
  /** @type {WebSocket | null} */
  let socket = null;
  let retryMs = FIRST_RETRY_MS;
  let isClosed = false;
  /** @type {import("./protocol.js").BinaryMessage | null} */
  let newestFrame = null;
  let isFrameScheduled = false;

  function deliverFrame() {
    isFrameScheduled = false;
    const frame = newestFrame;
    newestFrame = null;
    if (frame) handlers.onBinary(frame);
  }

  function open() {
    socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      retryMs = FIRST_RETRY_MS;
      handlers.onOpen?.();
    };
    socket.onmessage = (event) => {
      if (typeof event.data === "string") {
        handlers.onMessage(JSON.parse(event.data));
        return;
      }
      const message = decodeBinary(event.data);
      if (message.header.type !== "frame") {
        handlers.onBinary(message);
        return;
      }
      newestFrame = message;
      if (!isFrameScheduled) {
        isFrameScheduled = true;
        requestAnimationFrame(deliverFrame);
      }
    };
    socket.onclose = () => {
      handlers.onClose?.();
      if (isClosed) return;
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
  }

  open();
  return {
    send(command) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(command));
      return true;
    },
    close() {
      isClosed = true;
      socket?.close();
    },
  };
}
