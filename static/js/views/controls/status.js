// @ts-check
/**
 * What the page has to say: the banner (connection lost, a run resumed or
 * found expired, a run taken over by another tab with a button to take it
 * back, a run that lives on another server, a run lost with its training
 * process or freed while the page sat unused, a class link that was lost, a
 * diverged run's message, the latest refused command for a few seconds, and
 * notices from the controls) and the connection state in the
 * footer. The page never restarts or resumes a run without saying so.
 */
import { el } from "./dom.js";
import { optionText, spoken, t } from "../../i18n.js";

/** How long a server's notice (a class moved, a discarded run) stays in the banner. */
const NOTICE_MS = 12000;
/** How long a refused command or a notice stays in the banner. */
const MESSAGE_MS = 6000;
/** How long "Resumed at epoch N" and other arrival notes stay. */
const ARRIVAL_MS = 12000;
/** Close code: another socket took the run over. */
const TAKEN_OVER = 4001;
/** Close code: the run lives on another server of this site (docs/protocol.md). */
const ELSEWHERE = 4409;
/** Close code: the page sat unused while the server was full, and its run was given to someone else. */
const IDLE_FREED = 4410;
/** What the page says when it arrives: its run expired, or was lost (hello `resume: "lost"`: a kept run that
 * could not be read back after a restart, or a run whose training process died). */
const EXPIRED_TEXT = "status.expired";
const LOST_TEXT = "status.lost";
const IDLE_FREED_TEXT = "status.idle_freed";
/** Error fields that other lines already explain (the takeover line, the join box, the presenter). */
const EXPLAINED_FIELDS = ["session", "room", "secret"];
/** Connection state → footer text. */
/** Said while the connection is down: what the page shows is the last frame, not the run now. */
const STALE_TEXT = "status.stale";
/** Said once the socket is back, until the run's next frame arrives. */
const WAITING_TEXT = "status.waiting";
/** On <body> while the picture is stale: the stylesheet greys the panels out. */
const STALE_ATTRIBUTE = "data-stale";
const CONNECTION_TEXT = /** @type {Record<string, string>} */ ({
  open: "connection.open",
  connecting: "connection.connecting",
  closed: "connection.closed",
  stopped: "connection.stopped",
});

/** Refused fields that are not settings (settings are named by their label), and their catalogue keys. */
const FIELD_WORDS = /** @type {Record<string, string>} */ ({
  index: "subject.point", point: "subject.point", layer: "subject.layer", target: "subject.neuron",
  source: "subject.input", value: "subject.value", count: "subject.count", unit: "subject.unit",
  rows: "subject.rows", problem: "subject.problem",
});

/**
 * A refused command in words, in the page's language: the control's label, then what is allowed
 * ("Batch size must be …", "Lernrate darf höchstens 10 sein").
 * @param {any} hello @param {{field: string, message: string, key?: string|null, args?: any}} error
 */
export function errorText(hello, error) {
  const name = error.field.replace(/\[.*$/, "");
  const message = spoken(error, error.message);
  const subject = hello?.fields?.[name] ? optionText(hello.fields[name]) : FIELD_WORDS[name] && t(FIELD_WORDS[name]);
  if (subject) return t("status.refused", { subject, message });
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {"error" | "info"} Kind
 * @typedef {{text: string, kind: Kind, until: number}} Notice
 * @typedef {{text: string, kind: Kind, action?: {label: string, run: () => void}}} Line
 */

/**
 * What a hello and the first frame after it mean for the learner, or "".
 * @param {import("../../messages.js").Arrival} arrival
 */
export function arrivalText(arrival) {
  if (arrival.role === "follower") return "";
  if (arrival.resume === "expired") return t(EXPIRED_TEXT);
  if (arrival.resume === "lost") return t(LOST_TEXT);
  if (arrival.resume !== "resumed" || arrival.epoch === null) return "";
  if (arrival.isFork) return t("status.own_copy", { epoch: arrival.epoch });
  return t(arrival.pausedWhileAway ? "status.resumed_paused" : "status.resumed", { epoch: arrival.epoch });
}

/**
 * @param {HTMLElement} banner the #banner slot (role=status)
 * @param {HTMLElement} connection the #connection slot in the footer
 * @param {{store: any, reconnect: () => void, route: {room: string}}} context
 * @returns {{render: (state: State, previous: State) => void,
 *            notify: (text: string, kind?: Kind, durationMs?: number) => void}}
 */
export function createStatus(banner, connection, { store, reconnect, route }) {
  // On a /join/CODE page a wrong code has its own box (views/classroom/join.js).
  const explained = route.room ? EXPLAINED_FIELDS : EXPLAINED_FIELDS.filter((name) => name !== "room");
  /** @type {Notice[]} */
  let notices = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let expiryTimer;
  let shownKey = "";
  /** The frame shown when the connection dropped: the picture is stale until a newer one comes. */
  let frameAtDrop = /** @type {any} */ (undefined);

  /** @param {State} state @returns {Line[]} */
  function lines(state) {
    const now = Date.now();
    /** @type {Line[]} */
    const out = [];
    if (state.connection === "closed") out.push({ text: t(STALE_TEXT), kind: "error" });
    else if (state.connection === "open" && isStale(state)) out.push({ text: t(WAITING_TEXT), kind: "error" });
    if (state.connection === "stopped" && state.closeCode === TAKEN_OVER) {
      out.push({ text: t("status.taken_over"), kind: "error",
                 action: { label: t("status.take_back"), run: reconnect } });
    }
    if (state.connection === "stopped" && state.closeCode === ELSEWHERE) {
      out.push({ text: t("status.elsewhere"), kind: "error", action: { label: t("status.try_again"), run: reconnect } });
    }
    if (state.connection === "stopped" && state.closeCode === IDLE_FREED) {
      out.push({ text: t(IDLE_FREED_TEXT), kind: "error", action: { label: t("status.start_again"), run: reconnect } });
    }
    if (state.classLink === "lost") out.push({ text: t("status.class_link_lost"), kind: "error" });
    if (state.session?.status === "diverged") {
      const said = state.session.message_key ? { key: state.session.message_key, args: state.session.message_args } : {};
      out.push({ text: state.session.message ? spoken(said, state.session.message) : t("status.diverged"),
                 kind: "error" });
    }
    const error = state.error;
    // a refused upload is said beside its button (csv.js)
    if (error && now - error.at < MESSAGE_MS && !explained.includes(error.field) && error.command !== "set_data") {
      out.push({ text: errorText(state.hello, error), kind: "error" });
    }
    notices = notices.filter((notice) => notice.until > now);
    for (const notice of notices) out.push({ text: notice.text, kind: notice.kind });
    return out;
  }

  /** @param {Line} line */
  function drawLine(line) {
    const node = el("p", { class: `banner-line is-${line.kind}`, text: line.text });
    if (line.action) {
      const action = el("button", { type: "button", class: "btn banner-action", text: line.action.label });
      action.addEventListener("click", line.action.run);
      node.append(" ", action);
    }
    return node;
  }

  /** Redraw the banner, and come back when its oldest timed message expires. */
  function drawBanner() {
    const state = store.get();
    const shown = lines(state);
    const key = JSON.stringify(shown);
    if (key !== shownKey) {
      shownKey = key;
      banner.replaceChildren(...shown.map(drawLine));
      banner.classList.toggle("is-info", shown.length > 0 && shown.every((line) => line.kind === "info"));
    }
    const expiries = notices.map((notice) => notice.until);
    if (state.error) expiries.push(state.error.at + MESSAGE_MS);
    const next = Math.min(...expiries.filter((time) => time > Date.now()));
    clearTimeout(expiryTimer);
    if (Number.isFinite(next)) expiryTimer = setTimeout(drawBanner, next - Date.now() + 1);
  }

  /** @param {string} text @param {Kind} kind @param {number} durationMs */
  function notify(text, kind = "info", durationMs = MESSAGE_MS) {
    notices = [...notices.filter((notice) => notice.text !== text), { text, kind, until: Date.now() + durationMs }];
    drawBanner();
  }

  /** @param {State} state */
  function isStale(state) {
    return frameAtDrop !== undefined && (state.connection !== "open" || !state.frame || state.frame === frameAtDrop);
  }

  return {
    notify,
    render(state, previous) {
      const wasStale = document.body.hasAttribute(STALE_ATTRIBUTE);
      if (state.connection !== "open" && previous.connection === "open" && frameAtDrop === undefined) {
        frameAtDrop = state.frame;
      }
      if (frameAtDrop !== undefined && !isStale(state)) frameAtDrop = undefined;
      const isStaleNow = isStale(state);
      document.body.toggleAttribute(STALE_ATTRIBUTE, isStaleNow);
      if (state.connection !== previous.connection || !connection.dataset.state) {
        connection.dataset.state = state.connection;
        const key = CONNECTION_TEXT[state.connection];
        if (key) connection.setAttribute("data-i18n", key);
        connection.textContent = key ? t(key) : state.connection;
      }
      // A hello, then its first frame: "expired" and "lost" are said at once, "Resumed at epoch N" once N is known.
      const said = state.arrival && state.arrival !== previous.arrival ? arrivalText(state.arrival) : "";
      if (said) notify(said, "info", ARRIVAL_MS);
      if (state.notice && state.notice !== previous.notice && state.notice.message) {
        notify(spoken(state.notice, state.notice.message), "info", NOTICE_MS);
      }
      if (state.connection !== previous.connection || state.session !== previous.session
          || isStaleNow !== wasStale
          || state.error !== previous.error || state.closeCode !== previous.closeCode
          || state.classLink !== previous.classLink || state.language !== previous.language) drawBanner();
    },
  };
}
