// @ts-check
/**
 * The lesson views' words as catalogue keys (locales/*.json `lessons.*`): `LESSON_WORD` for elements
 * that keep their key and are re-worded in place on a change of language, `TEXT` for texts read
 * in the page's language when they are drawn.
 */
import { t } from "../../i18n.js";

export const LESSON_WORD = {
  lessons: "lessons.title",
  next: "lessons.next",
  skip: "lessons.skip",
  finish: "lessons.finish",
  leave: "lessons.leave",
  hint: "lessons.hint",
  answerFirst: "lessons.answer_first",
  rightAnswer: "lessons.right_answer",
  goal: "lessons.goal",
  goalMet: "lessons.goal_met",
  outOfBudget: "lessons.out_of_budget",
  stepList: "lessons.step_list",
  done: "lessons.done",
  terms: "lessons.terms",
  studentPaced: "lessons.student_paced",
};

/** @typedef {{[name in keyof typeof LESSON_WORD]: string}} FixedTexts */

const fixed = /** @type {FixedTexts} */ (Object.defineProperties({}, Object.fromEntries(
  Object.entries(LESSON_WORD).map(([name, key]) => [name, { get: () => t(key), enumerable: true }]))));

export const TEXT = Object.assign(fixed, {
  stepOf: (/** @type {number} */ n, /** @type {number} */ total) => t("lessons.step_of", { n, total }),
  /** Above a lesson that has no file in the language asked for: each language by its own name ("Deutsch"). */
  notTranslated: (/** @type {string} */ asked, /** @type {string} */ shown) => t("lessons.not_translated", { asked, shown }),
  pacedNote: (/** @type {number} */ a, /** @type {number} */ b) => t("lessons.paced_note", { a, b }),
});
