// @ts-check
/**
 * How server messages change the page's state: the one reducer between the
 * socket and the store. Model state is replaced as received. The cost
 * history comes from the server's `history` message, and one point per
 * received frame is appended to it (history.js). A class's state (`room`,
 * `presenting`, `forked`, the teacher's tiles `classView` and `comparison`,
 * a student's own `classState`) is kept as received too; what the page does
 * about it lives in views/classroom/.
 */
import { appendFrame, historyFromMessage } from "./history.js";
import { mergeClass } from "./class-tiles.js";
import { keepArrays } from "./protocol.js";

/** Close codes after which the page must not reconnect on its own (docs/protocol.md). */
export const FINAL_CLOSE_CODES = [4001, 4404, 4409, 4410, 4429];

/**
 * @typedef {import("./history.js").HistoryPoint} HistoryPoint
 * @typedef {{
 *   hoverNeuron: [number, number] | null,
 *   showTest: boolean,
 *   discretize: boolean,
 *   showGradients: boolean,
 *   projector: boolean,
 *   hidden: string[],
 *   classOpen: boolean,
 *   classSort: "status" | "accuracy" | "params" | "alias",
 *   classSelected: string[],
 *   slowPhase: "forward" | "backward" | "update" | null,
 * }} UiState
 * @typedef {{resume: "new"|"resumed"|"expired"|"lost", role: "owner"|"follower", pausedWhileAway: boolean,
 *            isFork: boolean, epoch: number|null}} Arrival what the latest hello said, and the epoch it found
 * @typedef {{
 *   connection: "connecting" | "open" | "closed" | "stopped",
 *   closeCode: number | null,
 *   hello: any, session: any,
 *   dataset: import("./protocol.js").BinaryMessage | null,
 *   frame: import("./protocol.js").BinaryMessage | null,
 *   history: HistoryPoint[],
 *   metric: import("./history.js").MetricName,
 *   arrival: Arrival | null,
 *   room: any, presenting: {code: string, secret: string} | null, forked: string | null,
 *   classView: import("./class-tiles.js").ClassView | null,
 *   comparison: import("./protocol.js").BinaryMessage | null,
 *   classState: any, classResults: {step: number, working: number, met: number, failed: number} | null,
 *   classLink: "ok" | "lost",
 *   notice: {topic: string, message: string, key?: string | null, args?: Record<string, unknown> | null, at: number} | null,
 *   busyFps: number | null, busyPaced: boolean,
 *   slowStep: any, pins: any[],
 *   lessons: any[] | null, lesson: any, lessonProgress: any,
 *   error: {field: string, message: string, key: string|null, args: any, command: string|null, at: number} | null,
 *   language: string,
 *   ui: UiState,
 * }} State
 */

/** @returns {State} */
export function initialState() {
  return {
    connection: "connecting",
    closeCode: null,
    hello: null,
    session: null,
    dataset: null,
    frame: null,
    history: [],
    metric: "accuracy",
    arrival: null,
    room: null,
    busyFps: null,
    busyPaced: false,
    presenting: null,
    forked: null,
    classView: null,
    comparison: null,
    classState: null,
    classResults: null,
    classLink: "ok",
    notice: null,
    slowStep: null,
    pins: [],
    lessons: null,
    lesson: null,
    lessonProgress: null,
    error: null,
    language: "en",
    ui: { hoverNeuron: null, showTest: false, discretize: false, showGradients: false, projector: false, hidden: [],
          slowPhase: null, classOpen: false, classSort: "status", classSelected: [] },
  };
}

/**
 * The state patch for the socket closing with `code`.
 * @param {number} code
 * @returns {Partial<State>}
 */
export function onClose(code) {
  return { connection: FINAL_CLOSE_CODES.includes(code) ? "stopped" : "closed", closeCode: code };
}

/**
 * The state patch for a hello: a new connection's history and class state start over; the last
 * frame and session stay on screen until the new ones arrive.
 * @param {State} state
 * @param {any} hello
 * @returns {Partial<State>}
 */
function onHello(state, hello) {
  return {
    hello, history: [], busyFps: null, busyPaced: false,
    room: hello.room ?? null, presenting: null, forked: null, classLink: "ok",
    classView: null, comparison: null, classState: null, classResults: null,
    lesson: null, lessonProgress: null,  // a resumed session's lesson arrives right after the hello
    arrival: { resume: hello.resume ?? "new", role: hello.role ?? "owner", pausedWhileAway: !!hello.paused_while_away,
               isFork: state.forked !== null, epoch: null },
  };
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
      return onHello(state, message);
    case "session":
      return { session: message, error: isFixedBy(state.error, message) ? null : state.error };
    case "room":
      return { room: message };
    case "presenting":
      return { presenting: { code: message.code, secret: message.secret } };
    case "forked":
      return { forked: message.session_id };
    case "class_state":
      return { classState: message };
    case "notice":
      return onNotice(message);
    case "slow_step":  // the replay starts with the forward sweep, before the frame after the step arrives
      return { slowStep: message, ui: { ...state.ui, slowPhase: "forward" } };
    case "pins":
      return { pins: message.pins };
    case "lessons":
      return { lessons: message.lessons };
    case "lesson":  // a presenter's lesson carries its class's goal results
      return { lesson: message.lesson, classResults: message.class_results ?? message.lesson?.class_results ?? null };
    case "lesson_progress":
      return { lessonProgress: message.goal };
    case "error":
      return { error: { field: message.field, message: message.message, key: message.key ?? null,
                        args: message.args ?? null, command: message.command, at: Date.now() } };
    case "language":  // the page words settings from its own catalogue; the glossary comes from the server
      return message.glossary && state.hello ? { hello: { ...state.hello, glossary: message.glossary } } : {};
    default:
      return {};
  }
}

/**
 * The state patch for a `notice`: the class link's state, or a message for the banner (a class moved to
 * another run is no longer this page's to show).
 * @param {any} message
 * @returns {Partial<State>}
 */
function onNotice(message) {
  if (message.topic === "class_link") return { classLink: message.state === "lost" ? "lost" : "ok" };
  if (message.topic === "busy") {
    const isBusy = message.state === "busy";
    return { busyFps: isBusy ? Number(message.fps) : null, busyPaced: isBusy && message.keeps_pace === true };
  }
  // The catalogue key and arguments, when the server sent them, word the banner in the page's language.
  const notice = { topic: String(message.topic), message: String(message.message ?? message.text ?? ""),
                   key: message.key ?? null, args: message.args ?? null, at: Date.now() };
  return message.topic === "class_moved" ? { notice, room: null } : { notice };
}

/**
 * The state patch for a binary message.
 * @param {State} state
 * @param {import("./protocol.js").BinaryMessage} message
 * @returns {Partial<State>}
 */
export function onBinary(state, message) {
  const type = message.header.type;
  if (type === "dataset") return { dataset: message };
  if (type === "history") return { history: historyFromMessage(message), metric: message.header.metric };
  if (type === "class") return { classView: mergeClass(state.classView, message) };
  if (type === "comparison") return { comparison: message };
  if (type !== "frame") return {};
  const header = message.header;
  const arrival = state.arrival && state.arrival.epoch === null ? { ...state.arrival, epoch: header.epoch } : state.arrival;
  return { frame: keepArrays(message, state.frame), history: appendFrame(state.history, header, state.metric), arrival };
}
