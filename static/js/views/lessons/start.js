// @ts-check
/**
 * The home card: what a newcomer sees first. The server renders it into the page (the lessons, the
 * first marked "Start here", beside "Explore freely"), so it is in place before the socket opens and
 * nothing moves when the run starts; this module only decides whether it shows and wires its buttons.
 * The top bar gets a Lessons button that brings the card back. A learner who chose free play is not
 * asked again on this browser; a lesson link, an open lesson or a class's page skips the card.
 */
import { LANGUAGE_PATTERN, commands } from "../../protocol.js";
import { el } from "../controls/dom.js";
import { LESSON_WORD } from "./strings.js";

/** Where this browser remembers that the learner chose free play. */
const FREE_PLAY_KEY = "neuroplay.freePlay";

/** The page's language, two letters: which of a lesson's files to open (English when the page names none). */
export function pageLanguage() {
  const language = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  return new RegExp(LANGUAGE_PATTERN).test(language) ? language : "en";
}

/**
 * @param {HTMLElement} element the home card, as the server rendered it
 * @param {HTMLElement} entry the top bar's slot for the Lessons button
 * @param {{store: any, send: (command: any) => boolean}} context
 * @param {{isLinked: () => boolean}} link whether the address opened a lesson
 */
export function createStart(element, entry, { store, send }, link) {
  const hasLessons = element.querySelector("[data-lesson]") !== null;
  const isClass = Boolean(document.body.dataset.room);  // a class's page (and its forks) follows the teacher
  let isWanted = hasLessons && !link.isLinked() && !isClass && localStorage.getItem(FREE_PLAY_KEY) !== "1";
  element.hidden = !isWanted;

  const open = el("button", { class: "btn lessons-entry", type: "button", i18n: LESSON_WORD.lessons });
  open.hidden = !hasLessons || isClass;
  open.addEventListener("click", () => {
    isWanted = true;
    draw(store.get());
    element.querySelector("button")?.focus();
  });
  entry.append(open);

  element.addEventListener("click", (event) => {
    const target = /** @type {Element} */ (event.target);
    const card = /** @type {HTMLElement | null} */ (target.closest("[data-lesson]"));
    if (card) send(commands.startLesson(card.dataset.lesson ?? "", 0, pageLanguage()));
    else if (!target.closest("[data-free-play]")) return;
    else localStorage.setItem(FREE_PLAY_KEY, "1");
    isWanted = false;
    draw(store.get());
  });

  /** @param {any} state */
  function draw(state) {
    const isFollower = state.hello?.role === "follower";
    open.hidden = !hasLessons || isClass || isFollower;
    element.hidden = !(isWanted && !state.lesson && !isFollower);
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.lesson !== previous.lesson || state.hello !== previous.hello) {
        if (state.lesson) isWanted = false;
        // A lesson finished or left: back to the list, where the next lesson waits (a class's page never).
        else if (previous.lesson && state.hello === previous.hello && hasLessons && !isClass) isWanted = true;
        draw(state);
      }
    },
  };
}
