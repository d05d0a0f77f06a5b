// @ts-check
/**
 * What the page has to say: the banner (connection lost, a diverged run's
 * message, the latest refused command for a few seconds, and notices from
 * the controls) and the connection state in the footer.
 */
import { el } from "./dom.js";

/** How long a refused command or a notice stays in the banner. */
const MESSAGE_MS = 6000;
/** Connection state → footer text. */
const CONNECTION_TEXT = /** @type {Record<string, string>} */ ({
  open: "connected",
  connecting: "connecting…",
  closed: "reconnecting…",
});

/** Words for refused fields that are not settings (settings are named by their label in `hello`). */
const FIELD_WORDS = /** @type {Record<string, string>} */ ({
  index: "The point", point: "The point", layer: "The layer", target: "The neuron", source: "The input",
  value: "The value", count: "The count", unit: "The unit", rows: "The points", problem: "The problem type",
});

/**
 * A refused command in words: the control's label, then what is allowed ("Batch size must be …").
 * @param {any} hello @param {{field: string, message: string}} error
 */
export function errorText(hello, error) {
  const name = error.field.replace(/\[.*$/, "");
  const subject = hello?.fields?.[name]?.label ?? FIELD_WORDS[name];
  if (subject) return `${subject} ${error.message}`;
  return error.message.charAt(0).toUpperCase() + error.message.slice(1);
}

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {"error" | "info"} Kind
 * @typedef {{text: string, kind: Kind, until: number}} Notice
 */

/**
 * @param {HTMLElement} banner the #banner slot (role=status)
 * @param {HTMLElement} connection the #connection slot in the footer
 * @param {{store: any}} context
 * @returns {{render: (state: State, previous: State) => void,
 *            notify: (text: string, kind?: Kind, durationMs?: number) => void}}
 */
export function createStatus(banner, connection, { store }) {
  /** @type {Notice[]} */
  let notices = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let expiryTimer;
  let shownKey = "";

  /** @param {State} state @returns {{text: string, kind: Kind}[]} */
  function lines(state) {
    const now = Date.now();
    /** @type {{text: string, kind: Kind}[]} */
    const out = [];
    if (state.connection === "closed") out.push({ text: "Connection lost, reconnecting…", kind: "error" });
    if (state.session?.status === "diverged") {
      out.push({ text: state.session.message || "The run diverged; reset it.", kind: "error" });
    }
    if (state.error && now - state.error.at < MESSAGE_MS) {
      out.push({ text: errorText(state.hello, state.error), kind: "error" });
    }
    notices = notices.filter((notice) => notice.until > now);
    for (const notice of notices) out.push({ text: notice.text, kind: notice.kind });
    return out;
  }

  /** Redraw the banner, and come back when its oldest timed message expires. */
  function drawBanner() {
    const state = store.get();
    const shown = lines(state);
    const key = JSON.stringify(shown);
    if (key !== shownKey) {
      shownKey = key;
      banner.replaceChildren(...shown.map((line) =>
        el("p", { class: `banner-line is-${line.kind}`, text: line.text })));
      banner.classList.toggle("is-info", shown.length > 0 && shown.every((line) => line.kind === "info"));
    }
    const expiries = notices.map((notice) => notice.until);
    if (state.error) expiries.push(state.error.at + MESSAGE_MS);
    const next = Math.min(...expiries.filter((time) => time > Date.now()));
    clearTimeout(expiryTimer);
    if (Number.isFinite(next)) expiryTimer = setTimeout(drawBanner, next - Date.now() + 1);
  }

  return {
    notify(text, kind = "info", durationMs = MESSAGE_MS) {
      notices = [...notices.filter((notice) => notice.text !== text), { text, kind, until: Date.now() + durationMs }];
      drawBanner();
    },
    render(state, previous) {
      if (state.connection !== previous.connection || !connection.dataset.state) {
        connection.dataset.state = state.connection;
        connection.textContent = CONNECTION_TEXT[state.connection] ?? state.connection;
      }
      if (state.connection !== previous.connection || state.session !== previous.session
          || state.error !== previous.error) drawBanner();
    },
  };
}
