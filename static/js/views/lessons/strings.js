// @ts-check
/** The lesson views' user-facing words, in one place so they can move into a catalogue. */
export const TEXT = {
  lessons: "Lessons",
  stepOf: (/** @type {number} */ n, /** @type {number} */ total) => `Step ${n} of ${total}`,
  next: "Next",
  skip: "Skip",
  finish: "Finish",
  leave: "Leave lesson",
  hint: "Hint",
  answerFirst: "Answer the question to unlock Play.",
  yourAnswer: "Your answer:",
  rightAnswer: "Right answer:",
  goal: "Goal",
  goalMet: "Goal met",
  outOfBudget: "Out of epochs: press Reset and try again.",
  stepList: "Lesson steps",
  done: "done",
  terms: "Terms in this lesson",
  studentPaced: "Students move on their own from this step to the end",
  /** Above a lesson that has no file in the language asked for: each language by its own name ("Deutsch"). */
  notTranslated: (/** @type {string} */ asked, /** @type {string} */ shown) =>
    `This lesson is not available in ${asked} yet; showing ${shown}.`,
  pacedNote: (/** @type {number} */ a, /** @type {number} */ b) =>
    `Steps ${a} to ${b} are yours to take at your own pace: press Try it myself.`,
};
