// @ts-check
/**
 * The language picker in the top bar: English, Deutsch, Español. A choice is kept
 * in this browser (localStorage), loads that catalogue, re-words the page in place
 * and tells the server (`set_language`), whose words (settings' labels and help,
 * errors) then come in it. The socket, the run and the view stay as they are.
 */
import { commands } from "../../protocol.js";
import {
  LANGUAGES, LANGUAGE_NAMES, currentLanguage, fetchCatalogue, rememberLanguage, t, translatePage, useCatalogue,
} from "../../i18n.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean, basePath: string}} Context
 */

/**
 * @param {HTMLElement} element the #language slot
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createLanguageView(element, context) {
  const select = document.createElement("select");
  select.className = "language-select";
  select.id = "language-select";
  select.setAttribute("data-i18n-aria-label", "language.label");
  select.setAttribute("data-i18n-title", "language.help");
  for (const language of LANGUAGES) {
    const option = document.createElement("option");
    option.value = language;
    option.lang = language;
    option.textContent = LANGUAGE_NAMES[/** @type {keyof typeof LANGUAGE_NAMES} */ (language)];
    select.append(option);
  }
  select.value = currentLanguage();
  select.addEventListener("change", () => switchTo(select.value));
  element.append(select);
  translatePage(element);

  /** @param {string} language */
  async function switchTo(language) {
    try {
      useCatalogue(language, await fetchCatalogue(context.basePath, language));
    } catch {
      select.value = currentLanguage();
      select.title = t("language.failed", { language: LANGUAGE_NAMES[/** @type {"en"} */ (language)] });
      return;
    }
    rememberLanguage(language);
    translatePage(document);
    context.send(commands.setLanguage(language));
    context.store.update({ language });
  }

  return {
    render(state) {  // every new socket's address carries the language (main.js), so only the picker follows
      if (select.value !== state.language) select.value = state.language;
    },
  };
}
