// @ts-check
/**
 * The class view's user-facing words (the teacher's mosaic, spotlight, compare, the aggregate, pacing,
 * and the student's side: hand, name, the class's banners), in one place so they can move into a
 * catalogue. Functions build the sentences that carry numbers or names.
 */

/** @param {number} n @param {string} one @param {string} many @returns {string} "1 run" / "3 runs" */
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export const CLASS_TEXT = {
  // the teacher's toggle and panel
  classButton: "Class",
  classButtonHelp: "See every student's run: a live tile each, spotlight, compare and pace the class",
  panelLabel: "Your class",
  waiting: "Waiting for the class's tiles…",
  empty: "No students yet: they join with the class code.",
  sortLabel: "Sort by",
  sortStatus: "Status",
  sortAccuracy: "Accuracy",
  sortParams: "Parameters",
  sortAlias: "Name",
  // a tile
  following: "following",
  forked: "own copy",
  statusTraining: "training",
  statusPaused: "paused",
  statusIdle: "not started",
  statusDiverged: "diverged",
  statusGoalMet: "goal met",
  statusGoalFailed: "out of epochs",
  hand: "hand up",
  epoch: (/** @type {string} */ n) => `epoch ${n}`,
  params: (/** @type {number} */ n) => plural(n, "parameter", "parameters"),
  lessonStep: (/** @type {number} */ step) => `step ${step + 1}`,
  accuracy: "test accuracy",
  r2: "test R²",
  tileHelp: "Select to spotlight or compare",
  spotlit: "on the wall",
  stale: (/** @type {number} */ seconds) => `no news for ${seconds} s`,
  // selection, spotlight, compare
  selectionLabel: "Spotlight and compare",
  selected: (/** @type {number} */ n) => (n === 0 ? "Select a tile to spotlight it, or 2 to 4 to compare them"
    : `${plural(n, "run", "runs")} selected`),
  spotlight: "Spotlight",
  spotlightHelp: "The class (and the projector) watches the selected student's run, read-only, under its alias",
  compare: "Compare",
  compareHelp: "The selected runs side by side: their boundaries and test-cost curves",
  clearSelection: "Clear selection",
  backToMyRun: "Back to my run",
  backToMyRunHelp: "The class watches your run again",
  spotlightOn: (/** @type {string} */ alias) => `The class is watching ${alias}'s run`,
  compareTitle: "Compared runs",
  compareClose: "Close comparison",
  compareCurve: "test cost",
  compareLabel: (/** @type {string} */ alias) => `${alias}: decision boundary and test cost over training`,
  onlyForked: "Only a student's own copy can be spotlighted or compared",
  // the aggregate
  aggregateLabel: "The class as a repeated experiment",
  histogramLabel: (/** @type {string} */ metric) => `Test ${metric} of the students' own runs`,
  histogramBar: (/** @type {string} */ range, /** @type {number} */ n) => `${range}: ${plural(n, "run", "runs")}`,
  students: (/** @type {number} */ n) => plural(n, "student", "students"),
  forkedCount: (/** @type {number} */ n) => `${n} training their own`,
  followingCount: (/** @type {number} */ n) => `${n} following`,
  divergedCount: (/** @type {number} */ n) => `${plural(n, "run", "runs")} diverged`,
  goalMetCount: (/** @type {number} */ n) => `${n} met the goal`,
  handsCount: (/** @type {number} */ n) => `${plural(n, "hand", "hands")} up`,
  // pacing
  pacingLabel: "Pace the class",
  pauseAll: "Pause everyone",
  pauseAllHelp: "Every student's own run pauses; they cannot train until you resume",
  resumeAll: "Resume",
  resumeAllHelp: "Students may train their own runs again",
  bringBack: "Bring everyone back",
  bringBackHelp: "Every student leaves their copy and watches your run again",
  push: "Push my settings",
  pushLesson: "Push this lesson step",
  pushHelp: "Every student's copy starts again from your current settings (fresh weights)",
  lock: "Lock copies",
  lockHelp: "Students watch only: their copies cannot be changed and no new copy can be made",
  unlock: "Unlock copies",
  unlockHelp: "Students may change their copies and make new ones again",
  // the student's side
  youAre: (/** @type {string} */ alias) => `You are ${alias}`,
  raiseHand: "Raise hand",
  lowerHand: "Lower hand",
  raiseHandHelp: "Tell your teacher you have a question",
  nameLabel: "Your name",
  nameSummary: (/** @type {string} */ name) => (name ? `Your name: ${name}` : "Add your name"),
  nameNote: "shown to your teacher only",
  nameSave: "Save",
  nameSaved: (/** @type {string} */ name) => (name ? `Your teacher sees you as ${name}` : "Your teacher sees only your alias"),
  pausedLine: "Your teacher paused the class: training waits until they resume it.",
  lockedLine: "Your teacher locked the copies: watch for now.",
  watching: (/** @type {string} */ alias) => `Watching ${alias}'s run`,
  watchingNote: "Your teacher put this student's run on the wall; it is read-only.",
  // lessons in a class
  classResults: (/** @type {number} */ met, /** @type {number} */ total) =>
    `${met} of ${plural(total, "student", "students")} met this step's goal`,
  classResultsDetail: (/** @type {number} */ working, /** @type {number} */ failed) =>
    `${working} still working · ${failed} out of epochs`,
};

/** Banner text for each class notice topic, when the server's notice carries none. */
export const NOTICE_TEXT = /** @type {Record<string, string>} */ ({
  class_paused: "Your teacher paused the class.",
  class_resumed: "Your teacher resumed the class: you may train again.",
  class_pushed: "Your teacher sent new settings: your copy starts again from them.",
  class_locked: "Your teacher locked the copies: watch for now.",
  class_unlocked: "Your teacher unlocked the copies: you may change yours again.",
  back_to_class: "Your teacher brought everyone back to the class's run.",
});
