// @ts-check
/**
 * The home card: what a newcomer sees first. It lists the lessons (the first marked "Start here")
 * beside "Free play", and the top bar gets a Lessons button that brings the card back. A learner who
 * chose Free play is not asked again on this browser; a lesson link or an open lesson skips the card.
 */
import { commands } from "../../protocol.js";
import { el } from "../controls/dom.js";
import { TEXT } from "./strings.js";

/** The page's language, two letters: which of a lesson's files to open. */
export const pageLanguage = () => (document.documentElement.lang || "en").slice(0, 2).toLowerCase();

/** Where this browser remembers that the learner chose Free play. */
const FREE_PLAY_KEY = "neuroplay.freePlay";

/**
 * @param {HTMLElement} element the home card's slot
 * @param {HTMLElement} entry the top bar's slot for the Lessons button
 * @param {{store: any, send: (command: any) => boolean}} context
 * @param {{isLinked: () => boolean}} link whether the address opened a lesson
 */
export function createStart(element, entry, { store, send }, link) {
  const isClass = Boolean(document.body.dataset.room);  // a class's page (and its forks) follows the teacher
  let isWanted = !link.isLinked() && !isClass && localStorage.getItem(FREE_PLAY_KEY) !== "1";
  let shownLessons = null;
  element.hidden = true;
  const open = el("button", { class: "btn lessons-entry", type: "button", text: TEXT.lessons,
                              "aria-haspopup": "true" });
  open.addEventListener("click", () => {
    isWanted = true;
    send(commands.listLessons());
    draw(store.get());
  });
  entry.append(open);

  /** @param {any} lesson */
  function item(lesson, index) {
    const start = el("button", { class: "lesson-card", type: "button" }, [
      index === 0 ? el("span", { class: "lesson-badge", text: TEXT.startHere }) : null,
      el("strong", { text: lesson.title }),
      el("span", { class: "lesson-summary", text: lesson.summary }),
      el("span", { class: "lesson-meta", text: `${TEXT.minutes(lesson.minutes)} · ${TEXT.steps(lesson.steps.length)}` }),
    ]);
    start.addEventListener("click", () => {
      isWanted = false;
      send(commands.startLesson(lesson.id, 0, pageLanguage()));
      draw(store.get());
    });
    return el("li", {}, [start]);
  }

  /** @param {any} state */
  function draw(state) {
    const isFollower = state.hello?.role === "follower";
    open.hidden = isFollower;  // a class follows its presenter's lesson
    const isShown = isWanted && !state.lesson && !isFollower;
    element.hidden = !isShown;
    if (!isShown || shownLessons === state.lessons) return;
    shownLessons = state.lessons;
    const free = el("button", { class: "btn", type: "button", text: TEXT.freePlay });
    free.addEventListener("click", () => {
      isWanted = false;
      localStorage.setItem(FREE_PLAY_KEY, "1");
      draw(store.get());
    });
    element.replaceChildren(
      el("div", { class: "start-head" }, [
        el("h2", { text: TEXT.welcomeTitle }), el("p", { text: TEXT.welcomeBody }), free]),
      el("ol", { class: "lesson-list", "aria-label": TEXT.lessons }, (state.lessons ?? []).map(item)),
    );
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.hello !== previous.hello && state.hello && !state.lessons) send(commands.listLessons());
      if (state.lessons !== previous.lessons || state.lesson !== previous.lesson || state.hello !== previous.hello) {
        if (state.lesson) isWanted = false;
        draw(state);
      }
    },
  };
}
