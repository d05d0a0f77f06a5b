// @ts-check
/**
 * Which run the page's socket opens: its own (`/ws`, or `/ws?session=ID` to
 * resume it), a class it follows (`/ws?room=CODE`, on a /join/CODE page), or
 * the fork it made of that class (`/ws?session=ID` again; back in the class,
 * `/ws?room=CODE&fork=ID` keeps the student the fork was). Every address also
 * carries the tab's routing key (`tab=…`), which a load balancer hashes on so a
 * tab's runs stay on one replica. The ids live in sessionStorage
 * (session-id.js), so a reload opens the same run. No DOM.
 */
import { classView, forkSession, ownSession, tabKey } from "./session-id.js";

/**
 * @typedef {"own" | "follow" | "fork"} Mode
 * @typedef {{room: string, mode: () => Mode, url: () => string,
 *            observe: (message: any) => boolean, fork: (sessionId: string) => void, follow: () => void,
 *            hasFork: () => boolean, backToFork: () => void}} Route
 */

/**
 * @param {string} room the join code of a /join/CODE page, or ""
 * @param {string} basePath
 * @param {{protocol: string, host: string}} place where the page was opened (location)
 * @returns {Route}
 */
export function createRoute(room, basePath, place) {
  const scheme = place.protocol === "https:" ? "wss:" : "ws:";
  /** @returns {Mode} */
  const mode = () => (!room ? "own" : forkSession.read(room) && !classView.read(room) ? "fork" : "follow");

  /** @param {string | null} id @param {string} [code] */
  const query = (id, code) => `?tab=${tabKey()}`
    + (id ? `&session=${encodeURIComponent(id)}` : code ? `&room=${encodeURIComponent(code)}` : "");

  return {
    room,
    mode,
    url() {
      const current = mode();
      const fork = forkSession.read(room);
      const search = current === "own" ? query(ownSession.read())
        : current === "fork" ? query(fork) : query(null, room) + (fork ? `&fork=${encodeURIComponent(fork)}` : "");
      return `${scheme}//${place.host}${basePath}/ws${search}`;
    },
    /**
     * Keep what a message says about the run this tab holds.
     * @returns {boolean} true when the socket should now open the new address (after `forked`)
     */
    observe(message) {
      if (message.type === "hello" && message.role !== "follower" && message.session_id) {
        if (mode() === "fork") forkSession.write(room, message.session_id);
        else if (mode() === "own") ownSession.write(message.session_id);
        return false;
      }
      if (message.type === "forked" && room) {
        forkSession.write(room, message.session_id);
        classView.write(room, false);
        return true;
      }
      return false;
    },
    fork: (sessionId) => {
      forkSession.write(room, sessionId);
      classView.write(room, false);
    },
    /** Watch the class again; the fork's id is kept, so the copy can be opened again. */
    follow: () => classView.write(room, true),
    hasFork: () => Boolean(room && forkSession.read(room)),
    backToFork: () => classView.write(room, false),
  };
}
