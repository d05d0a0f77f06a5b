"""Every catalogue key is used, and no user-facing English is written outside the catalogues.

Two scans of the source: a key of locales/en.json that no module names (literally, or through one of
the families built from names the server defines) is dead weight a translator would translate for
nothing; a literal sentence in the page's template or a view module is a string the German and
Spanish pages would show in English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n import check_shipped, split_plural
from app.live.lessons import glossary
from app.live.protocol import _options
from app.live.settings import Settings
from app.live.spoken import SPOKEN_OPTIONS
from app.training.config import FIELDS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("app/**/*.py"), *ROOT.glob("static/js/**/*.js"), ROOT / "templates" / "index.html"]
VIEWS = ROOT / "static" / "js"
# A string literal in JavaScript ("…", '…' or `…` without ${…} spanning lines).
JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`((?:[^`\\]|\\.)*)`')
JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\\"'])//[^\n]*", re.DOTALL)
# Words in a literal that a person reads: two words with a space, or one capitalised word.
PROSE = re.compile(r"[A-Za-z]{2,}[ ,:;.]+[a-z]{2,}|^[A-Z][a-z]{2,}")
# Literals that look like prose but are not read as such: key names, CSS, selectors, fonts, formats.
NOT_PROSE = re.compile(
    r"^(Escape|Enter|Home|End|ArrowRight|ArrowLeft|ArrowUp|ArrowDown|PageUp|PageDown|Tab)$"  # KeyboardEvent.key
    r"|^[a-z0-9_.-]+$|^[a-z]+\.[a-zA-Z]+$"  # catalogue keys, ids, class names, storage keys
    r"|^(?=.*-)[a-z0-9 -]+$"  # a list of CSS classes (one with a hyphen)
    r"|^(?=.*[/,])[\w.,/+-]+$|^[a-z]+(, [a-z]+)+$|[\[\]]|^\(|^[a-z-]+\("  # accept lists, selectors, CSS
    r"|^[.#][a-z][\w\s.,>:+~()#-]*$"  # a CSS selector that starts with a class or an id
)
# A word read beside a template literal's placeholder ("class ${k}"): letters not touching a dot, a
# hyphen or a bracket (keys, CSS functions, ids), in a literal that is not an address.
TEMPLATE_WORD = re.compile(r"(?<![\w.#-])(?![A-Z]+\b)[A-Za-z]{3,}(?![\w.(-])")
ADDRESS = re.compile(r"[/=?&]")
UNITS = {"MiB", "KiB"}
# The language picker names each language in itself, in every language.
ENDONYMS = {"English", "Deutsch", "Español"}
# A term button's glossary id ("batch size") names an entry of lessons/glossary.yaml; the page never shows it.
GLOSSARY_IDS = frozenset(glossary(Settings()))
# Keys built from names the server defines, and where: the family's prefix → its expected keys.
FAMILY_PREFIXES = ("field.", "option.", "problem_name.")


def family_keys() -> set[str]:
    """The keys of the families the code builds from names (settings, option lists, problem types)."""
    keys = {f"field.{name}.{part}" for name in FIELDS for part in ("label", "help")}
    described = _options(Settings())["options"]
    for name, (prefix, parts) in SPOKEN_OPTIONS.items():
        keys |= {f"{prefix}.{entry['name']}.{part}" for entry in described[name] for part in parts}
    keys |= {f"option.speed.{unit}" for unit in ("batch", "epoch")}
    keys |= {f"problem_name.{problem}" for problem in ("binary", "multiclass", "regression")}
    return keys


def source_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)


def test_every_key_is_used() -> None:
    english = {split_plural(key)[0] for key in check_shipped()["en"]}
    text = source_text()
    named = {key for key in english if f'"{key}"' in text or f"'{key}'" in text}
    family = {key for key in english if key.startswith(FAMILY_PREFIXES)}
    unused = sorted(english - named - family)
    assert not unused, f"keys no module names: {unused}"
    assert family == family_keys(), (f"missing: {sorted(family_keys() - family)}, "
                                     f"left over: {sorted(family - family_keys())}")


# Where the code names a key: t("…"), keyed(node, "…"), refusal(field, "…"), refused(Kind, field, "…"), say("…"),
# the DOM builders' i18n props, the markup's data-i18n attributes and the template's t("…").
KEY_USES = [re.compile(pattern) for pattern in (
    r"\bt\(\s*[\"'`]([a-z][a-z0-9_]*\.[a-z0-9_.]+)[\"'`]",
    r"\bkeyed\([^,]+,\s*[\"']([a-z0-9_.]+)[\"']",
    r"\brefusal\([^,]+,\s*[\"']([a-z0-9_.]+)[\"']",
    r"\brefused\([^,]+,[^,]+,\s*[\"']([a-z0-9_.]+)[\"']",
    r"\bi18n(?:Title|Label)?:\s*[\"']([a-z0-9_.]+)[\"']",
    r"data-i18n(?:-[a-z-]+)?[\"']?[=,:]\s*[\"']([a-z][a-z0-9_]*\.[a-z0-9_.]+)[\"']",
)]


def test_every_key_a_module_names_exists() -> None:
    english = {split_plural(key)[0] for key in check_shipped()["en"]}
    text = source_text()
    written = {key for pattern in KEY_USES for key in pattern.findall(text)}
    assert len(written) > 100  # the patterns do find the code's keys
    missing = sorted(key for key in written if key not in english)
    assert not missing, f"keys named in the code but in no catalogue: {missing}"


def without_placeholders(literal: str) -> str:
    """A template literal's own text, each ${…} (which may hold strings and braces) a space."""
    kept, depth, index = [], 0, 0
    while index < len(literal):
        if literal.startswith("${", index):
            depth, index = depth + 1, index + 2
            if depth == 1:
                kept.append(" ")
            continue
        if depth and literal[index] in "{}":
            depth += 1 if literal[index] == "{" else -1
        elif not depth:
            kept.append(literal[index])
        index += 1
    return "".join(kept)


def words_beside_placeholders(template: str | None) -> bool:
    """A template literal with a placeholder and a word a person reads ("prediction ${value}")."""
    if template is None or "${" not in template:
        return False
    words = without_placeholders(template)
    if ADDRESS.search(words) or NOT_PROSE.search(words.strip()):
        return False
    return bool(set(TEMPLATE_WORD.findall(words)) - UNITS)


def prose_in_module(path: Path) -> list[str]:
    """The literals of a JS module that read as English words, each with its line."""
    text = path.read_text(encoding="utf-8")
    code = JS_COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    found = []
    for match in JS_STRING.finditer(code):
        literal = next(group for group in match.groups() if group is not None)
        if code[max(0, match.start() - 7):match.start()].rstrip().endswith(("import", "from")):
            continue
        if code[max(0, match.start() - 9):match.start()].endswith("import("):
            continue
        if re.fullmatch(r"[a-z0-9_.${}]+", literal) or literal in ENDONYMS or literal in GLOSSARY_IDS:
            continue
        words = without_placeholders(literal).strip()
        if (PROSE.search(words) and not NOT_PROSE.search(words)) or words_beside_placeholders(match.group(3)):
            found.append(f"{path.relative_to(VIEWS)}:{code.count(chr(10), 0, match.start()) + 1}: {literal!r}")
    return found


@pytest.mark.parametrize("path", sorted(p for p in VIEWS.rglob("*.js") if "vendor" not in p.parts),
                         ids=lambda p: str(p.relative_to(VIEWS)))
def test_no_view_module_writes_english_outside_the_catalogue(path: Path) -> None:
    found = prose_in_module(path)
    assert not found, "English outside locales/*.json (use t(key) from static/js/i18n.js):\n" + "\n".join(found)


def test_the_scan_finds_a_new_english_string(tmp_path: Path) -> None:
    module = VIEWS / "views" / "controls" / "scan-probe.js"
    try:
        module.write_text('// @ts-check\nconst a = t("transport.play");\nconst b = "Press here to start";\n'
                          "const c = `Step ${n} of the run`;\nconst d = \"btn banner-action\";\n"
                          'const e = `${part === "train" ? "training" : "test"} point #${index}`;\n'
                          "const f = `${size} MiB`;\nconst g = `${base}/api/${id}/export`;\n", encoding="utf-8")
        found = prose_in_module(module)
    finally:
        module.unlink()
    beside = "'${part === \"train\" ? \"training\" : \"test\"} point #${index}'"
    assert [line.split(": ", 1)[1] for line in found] == ["'Press here to start'", "'Step ${n} of the run'", beside]


def template_text_outside_helpers() -> list[str]:
    """Text of templates/index.html that is not produced by the t() helper (Jinja and tags removed)."""
    html = (ROOT / "templates" / "index.html").read_text(encoding="utf-8")
    html = re.sub(r"<script[^>]*>.*?</script>", " ", html, flags=re.DOTALL)
    html = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", html, flags=re.DOTALL)
    found = []
    attributes = r'(?<![\w-])(?:aria-label|title|alt|placeholder|name="description" content)="([^"]*)"'
    for attribute in re.findall(attributes, html):
        if PROSE.search(attribute.strip()):
            found.append(attribute)
    text = re.sub(r"<[^>]+>", "\n", html)
    found += [line.strip() for line in text.split("\n") if PROSE.search(line.strip())]
    return found


def test_the_template_writes_every_word_through_the_catalogue() -> None:
    found = [text for text in template_text_outside_helpers() if text != "neuroplay"]
    assert not found, f"English in templates/index.html outside t(): {found}"


def test_the_page_knows_the_same_languages_as_the_server() -> None:
    from app.i18n import LANGUAGES

    source = (VIEWS / "i18n.js").read_text(encoding="utf-8")
    found = re.search(r"export const LANGUAGES = \[([^\]]*)\]", source)
    assert found and re.findall(r'"(\w+)"', found.group(1)) == list(LANGUAGES)


# A refusal written as English text of its own, not from a catalogue key (app.i18n.refusal / refused).
REFUSAL_TEXT = re.compile(r"\b(?:InputError|ConfigError|DataError|SessionError|FeatureError)\(\s*[^,()]+,\s*f?[\"']")
# The one module that still words a refusal itself, and how often; a new one fails here.
REFUSALS_NOT_YET_MIGRATED = {
    "app/live/protocol.py": 1,  # pydantic's own text for a complaint that has no catalogue key (its fallback)
}


def test_no_new_refusal_is_written_in_english_outside_the_catalogue() -> None:
    found = {str(path.relative_to(ROOT)): len(REFUSAL_TEXT.findall(path.read_text(encoding="utf-8")))
             for path in sorted(ROOT.glob("app/**/*.py"))}
    found = {name: count for name, count in found.items() if count}
    assert found == REFUSALS_NOT_YET_MIGRATED, "a refusal's words belong in locales/*.json: raise refusal(field, key)"


def test_the_english_catalogue_says_what_the_engine_s_own_labels_say() -> None:
    """The engine keeps English names for its command line and files; the page's English is the catalogue's."""
    from app.i18n import translate
    from app.live.protocol import speed_label

    for name, spec in FIELDS.items():
        assert translate("en", f"field.{name}.label") == spec.label, name
        assert translate("en", f"field.{name}.help") == spec.help, name
    described = _options(Settings())["options"]
    for name, (prefix, parts) in SPOKEN_OPTIONS.items():
        for entry in described[name]:
            for part in parts:
                assert translate("en", f"{prefix}.{entry['name']}.{part}") == entry[part], (name, entry["name"])
    for entry in described["speed"]:
        assert translate("en", f"option.speed.{entry['unit']}", count=entry["count"]) == speed_label(
            entry["unit"], entry["count"])
