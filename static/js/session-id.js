// @ts-check
/**
 * What a tab remembers across reloads, in sessionStorage (one tab, one run):
 * the id of its own run, the id of the fork it made of a class, and the
 * code and secret of the class it presents. An id is a capability: whoever
 * presents it controls the run, so it is kept per tab and never shown.
 * Storage that is unavailable (private modes, blocked cookies) reads as
 * empty, and the page still works for as long as it stays open.
 */

/** The session this tab owns on the main page. */
const SESSION_KEY = "neuroplay.session";
/** The fork of class CODE this tab trains on its own, under FORK_PREFIX + CODE. */
const FORK_PREFIX = "neuroplay.fork.";
/** Set under CLASS_VIEW_PREFIX + CODE while the tab watches class CODE although it has a fork of it. */
const CLASS_VIEW_PREFIX = "neuroplay.class-view.";
/** A random key per tab, sent with every socket so a load balancer sends the tab to one replica. */
const TAB_KEY = "neuroplay.tab";
/** The class this tab presents: `{"code", "secret"}` as JSON. */
const PRESENTING_KEY = "neuroplay.presenting";

/** @param {string} key @returns {string | null} */
function read(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** @param {string} key @param {string | null} value null forgets the key */
function write(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Nothing to do: the page keeps working, it only forgets on reload.
  }
}

/**
 * This tab's routing key: made once, then kept for every reload of the tab. Not a secret: it only
 * keeps a tab's runs on the server process that holds them (docs/protocol.md, Several replicas).
 * @returns {string}
 */
export function tabKey() {
  let key = read(TAB_KEY);
  if (!key) {
    key = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join("");
    write(TAB_KEY, key);
  }
  return key;
}

export const ownSession = {
  read: () => read(SESSION_KEY),
  /** @param {string | null} id */
  write: (id) => write(SESSION_KEY, id),
};

export const forkSession = {
  /** @param {string} code */
  read: (code) => read(FORK_PREFIX + code.toUpperCase()),
  /** @param {string} code @param {string | null} id */
  write: (code, id) => write(FORK_PREFIX + code.toUpperCase(), id),
};

/** Whether the tab went back to class CODE, keeping its fork for later. */
export const classView = {
  /** @param {string} code */
  read: (code) => read(CLASS_VIEW_PREFIX + code.toUpperCase()) === "1",
  /** @param {string} code @param {boolean} isOn */
  write: (code, isOn) => write(CLASS_VIEW_PREFIX + code.toUpperCase(), isOn ? "1" : null),
};

export const presenting = {
  /** @returns {{code: string, secret: string} | null} */
  read() {
    try {
      const value = JSON.parse(read(PRESENTING_KEY) ?? "null");
      return value && typeof value.code === "string" && typeof value.secret === "string" ? value : null;
    } catch {
      return null;
    }
  },
  /** @param {{code: string, secret: string} | null} room */
  write: (room) => write(PRESENTING_KEY, room ? JSON.stringify({ code: room.code, secret: room.secret }) : null),
};
