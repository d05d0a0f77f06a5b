// @ts-check
/**
 * Lessons on the page: the home card (lessons beside Free play), the lesson panel, the step's
 * restrictions, and the lesson link `#lesson=ID&step=N` (N counts from 1). A link opens its lesson
 * once the session is known: a resumed session that has a lesson open is left as it is. In a class
 * the followers see the presenter's step; a follower's fork starts from that step's setup (the server
 * starts it so).
 */
import { commands } from "../../protocol.js";
import { createStart, pageLanguage } from "./start.js";
import { createPanel } from "./panel.js";
import { createRestrict } from "./restrict.js";

/** The hash keys of a lesson link. */
export const LESSON_KEY = "lesson";
export const STEP_KEY = "step";

/**
 * The lesson a hash names, or null: `#lesson=neuron&step=2` → {id: "neuron", step: 1} (0-based).
 * @param {string} hash
 * @returns {{id: string, step: number} | null}
 */
export function lessonLink(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const id = params.get(LESSON_KEY);
  if (!id) return null;
  const step = Math.max(1, Math.floor(Number(params.get(STEP_KEY) ?? "1")) || 1);
  return { id, step: step - 1 };
}

/**
 * @param {{start: HTMLElement, entry: HTMLElement, panel: HTMLElement, transport: HTMLElement}} slots
 * @param {{store: any, send: (command: any) => boolean}} context
 */
export function createLessonsView(slots, context) {
  const link = lessonLink(location.hash);
  /** @type {any} the hello whose first frame decided about the link */
  let handledHello = null;
  const parts = [
    createStart(slots.start, slots.entry, context, { isLinked: () => link !== null }),
    createPanel(slots.panel, context),
    createRestrict(context, slots.transport),
  ];
  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      const isFirstFrame = state.frame && state.frame !== previous.frame && state.hello !== handledHello;
      if (isFirstFrame) {
        handledHello = state.hello;
        // A fork made during a class lesson arrives with the step started from its setup by the server.
        if (link && !state.arrival?.isFork && state.hello.role === "owner" && !state.lesson) {
          context.send(commands.startLesson(link.id, link.step, pageLanguage(), null));
        }
      }
      for (const part of parts) part.render(state, previous);
    },
  };
}
