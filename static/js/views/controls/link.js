// @ts-check
/**
 * The experiment in the address bar. On the first `session` after a
 * `hello` for a new run, the hash's settings go to the server as one
 * `configure` (or, after a reconnection that found the run gone, the last
 * known settings, so the learner keeps their setup). A resumed run and a
 * followed class keep the settings they have. From then on the hash follows
 * the echoed config through `history.replaceState`. `hide=` names controls
 * to hide: every element with a matching `data-field`, page-wide (an element
 * marked `data-hide="lock"` stays in view, inert: the input labels under
 * `hide=features`); a name that names no control is dropped, alone, with a
 * notice; `projector=1` turns projector mode on.
 */
import { commands } from "../../protocol.js";
import { LANGUAGE_KEY, buildHash, configChanges, parseHash } from "../../lib/url.js";
import { currentLanguage, t } from "../../i18n.js";

/** The dataset of uploaded points; a link cannot carry them. */
const CUSTOM_DATASET = "custom";
/** Settings that follow the uploaded points' problem type, dropped with them. */
const CUSTOM_DEPENDENT = ["dataset", "output_activation", "cost", "classes"];
/** Settings the server chooses to suit the problem type when a link leaves them out. */
const PROBLEM_DEPENDENT = ["output_activation", "cost"];
/** How long a note about the link stays in the banner. */
const NOTE_MS = 10000;
/** Marks elements this module hid, so it only ever shows those again. */
const HIDDEN_MARK = "linkHidden";
/** Marks elements this module locked (kept in view, inert), so it only ever unlocks those. */
const LOCKED_MARK = "linkLocked";
/** Names `hide=` takes besides the settings in hello.fields: controls that are no setting. */
const UI_FIELDS = ["custom_data", "custom_problem", "speed"];
/** Hiding one control hides these with it: the activation also has a select per hidden layer. */
const HIDDEN_WITH = /** @type {Record<string, string[]>} */ ({ activation: ["layer_activations"] });
/** Said when `hide=` names something that is no control. */
const UNKNOWN_HIDDEN = "link.unknown_hidden";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {(text: string, kind?: "error" | "info", durationMs?: number) => void} Notify
 */

/**
 * @param {{store: any, send: (command: import("../../protocol.js").Command) => boolean, notify: Notify}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createLink({ store, send, notify }) {
  /** @type {any} the hello whose first session has been handled */
  let handledHello = null;
  /** @type {Record<string, unknown> | null} the last config the server echoed, on any connection */
  let lastConfig = null;
  let isAwaitingEcho = false;
  let writtenHash = location.hash;
  /** The language a link asked for (`lang=de`): the address keeps it while the page speaks it. */
  const linkLanguage = new URLSearchParams(location.hash.replace(/^#/, "")).get(LANGUAGE_KEY);
  /** @param {string} hash @returns {string} the hash with the link's language, while the page speaks it */
  const withLanguage = (hash) => (linkLanguage && linkLanguage === currentLanguage()
    ? `${hash || "#"}${hash.length > 1 ? "&" : ""}${LANGUAGE_KEY}=${linkLanguage}` : hash);

  /** @param {{hidden: string[], projector: boolean}} view what the link says about the page's look */
  function setView({ hidden, projector }) {
    const ui = store.get().ui;
    if (JSON.stringify(ui.hidden) !== JSON.stringify(hidden) || ui.projector !== projector) {
      store.update({ ui: { ...ui, hidden, projector } });
    }
  }
  setView(parseHash(location.hash, {}));

  /** @param {Record<string, unknown>} changes */
  function sendChanges(changes) {
    if (changes.dataset === CUSTOM_DATASET) {
      for (const name of CUSTOM_DEPENDENT) delete changes[name];
      notify(t("link.no_uploads"), "info", NOTE_MS);
    }
    isAwaitingEcho = Object.keys(changes).length > 0;
    if (isAwaitingEcho) send(commands.configure(changes));
  }

  /**
   * Configure what the hash says. A link typed over a running page describes a whole setup:
   * every setting it leaves out goes back to its default, except the output activation and
   * cost, which the server sets to suit the problem type.
   * @param {any} hello
   * @param {Record<string, unknown> | null} current the session's config, or null on a fresh session
   */
  function applyHash(hello, current) {
    const parsed = parseHash(location.hash, hello.fields);
    if (parsed.unknown.length) {
      notify(t("link.unknown_settings", { names: parsed.unknown.join(", ") }), "error", NOTE_MS);
    }
    const known = parsed.hidden.filter((name) => Object.hasOwn(hello.fields, name) || UI_FIELDS.includes(name));
    const unknown = parsed.hidden.filter((name) => !known.includes(name));
    if (unknown.length) notify(t(UNKNOWN_HIDDEN, { names: unknown.join(", ") }), "error", NOTE_MS);
    setView({ ...parsed, hidden: known });
    if (!current) {
      sendChanges(parsed.changes);
      return;
    }
    const defaults = Object.fromEntries(
      Object.entries(hello.defaults).filter(([name]) => !PROBLEM_DEPENDENT.includes(name)),
    );
    sendChanges(configChanges({ ...defaults, ...parsed.changes }, current));
  }

  /** @param {State} state */
  function writeHash(state) {
    if (!state.hello || !state.session) return;
    if (state.lesson) return writeLessonHash(state.lesson);
    // The output activation and cost the server picks for this problem type need no mention.
    const choices = state.hello.problems[state.session.problem];
    const defaults = { ...state.hello.defaults, output_activation: choices.output_activation[0], cost: choices.cost[0] };
    const hash = withLanguage(buildHash(state.session.config, defaults, state.ui.hidden, state.ui.projector));
    if (hash === location.hash || (hash === "" && location.hash === "")) return;
    writtenHash = hash;
    history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
  }

  /** While a lesson is open, the address is a link to its step (1-based), which a reload resumes. */
  function writeLessonHash(/** @type {any} */ lesson) {
    const hash = withLanguage(`#lesson=${encodeURIComponent(lesson.id)}&step=${lesson.step + 1}`);
    if (hash === location.hash) return;
    writtenHash = hash;
    history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
  }

  // A hash typed into the address bar (not one this module wrote) is applied like a new link.
  window.addEventListener("hashchange", () => {
    const hello = store.get().hello;
    if (hello && location.hash !== writtenHash) {
      writtenHash = location.hash;
      applyHash(hello, store.get().session?.config ?? null);
    }
  });

  /** @param {string[]} names */
  function hideControls(names) {
    const hidden = names.flatMap((name) => [name, ...(HIDDEN_WITH[name] ?? [])]);
    for (const node of document.querySelectorAll("[data-field]")) {
      const element = /** @type {HTMLElement} */ (node);
      const isHidden = hidden.includes(element.dataset.field ?? "");
      if (element.dataset.hide === "lock") {
        lock(element, isHidden);
        continue;
      }
      if (isHidden && !element.hidden) {
        element.hidden = true;
        element.dataset[HIDDEN_MARK] = "";
      } else if (!isHidden && HIDDEN_MARK in element.dataset) {
        element.hidden = false;
        delete element.dataset[HIDDEN_MARK];
      }
    }
  }

  /** Keep `element` in view but inert while its control is hidden. @param {HTMLElement} element @param {boolean} isLocked */
  function lock(element, isLocked) {
    if (isLocked && !(LOCKED_MARK in element.dataset)) {
      element.inert = true;
      element.classList.add("is-locked");
      element.dataset[LOCKED_MARK] = "";
    } else if (!isLocked && LOCKED_MARK in element.dataset) {
      element.inert = false;
      element.classList.remove("is-locked");
      delete element.dataset[LOCKED_MARK];
    }
  }

  return {
    render(state, previous) {
      const isFirstSession = state.session && state.session !== previous.session && state.hello !== handledHello;
      if (isFirstSession) {
        handledHello = state.hello;
        const isKept = state.arrival?.resume === "resumed" || state.arrival?.role === "follower";
        if (isKept) setView(parseHash(location.hash, state.hello.fields));
        else if (lastConfig) sendChanges(configChanges(lastConfig, state.hello.defaults));
        else applyHash(state.hello, null);
      } else if (state.session !== previous.session && state.session) {
        isAwaitingEcho = false;
      } else if (state.error !== previous.error && state.error?.command === "configure") {
        isAwaitingEcho = false;
      }
      if (state.session && state.session !== previous.session && state.hello === handledHello && !isAwaitingEcho) {
        lastConfig = state.session.config;
      }
      const isChanged = state.session !== previous.session || state.ui.hidden !== previous.ui.hidden
        || state.ui.projector !== previous.ui.projector || state.error !== previous.error
        || state.lesson !== previous.lesson;
      if (!isAwaitingEcho && isChanged) writeHash(state);
      if (state.ui.hidden.length || state.ui.hidden !== previous.ui.hidden) {
        // After this batch of renders, so controls other views built in it are covered too.
        queueMicrotask(() => hideControls(store.get().ui.hidden));
      }
    },
  };
}
