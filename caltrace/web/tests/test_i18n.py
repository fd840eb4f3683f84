"""The message catalogues: English complete, compiled files in sync, templates fully translatable.

The msgids are Chinese (the source language); Chinese needs no translation, English must
translate every msgid of the project. Regenerate with ``scripts/i18n``.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

import caltrace

PACKAGE = Path(caltrace.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("en", "zh_Hans")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|\{\w+\}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")


def po_file(lang):
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def live(po):
    return [e for e in po if not e.obsolete]


def key(entry):
    return (entry.msgctxt or "", entry.msgid)


def test_english_translates_every_entry():
    po = po_file("en")
    problems = []
    for e in live(po):
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.msgid}")
        elif not e.translated():
            problems.append(f"untranslated: {e.msgid}")
        elif CJK.search(e.msgstr or "") or any(CJK.search(s) for s in e.msgstr_plural.values()):
            problems.append(f"Chinese left in the English text: {e.msgid}")
    assert not problems, "run scripts/i18n and translate:\n" + "\n".join(problems)
    assert len(live(po)) > 100


def test_english_keeps_every_placeholder():
    for e in live(po_file("en")):
        wanted = sorted(PLACEHOLDER.findall(e.msgid))
        texts = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        for text in texts:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, e.msgid


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_po(lang):
    po = po_file(lang)
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))

    def table(entries):
        out = {}
        for e in entries:
            if e.obsolete or "fuzzy" in e.flags or not e.msgid:
                continue
            if e.msgid_plural:
                if all(e.msgstr_plural.values()):
                    out[key(e)] = tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
            elif e.msgstr:
                out[key(e)] = e.msgstr
        return out

    assert table(mo) == table(po), f"run scripts/i18n to recompile caltrace/locale/{lang}"


def test_both_catalogues_hold_the_same_msgids():
    assert {key(e) for e in live(po_file("en"))} == {key(e) for e in live(po_file("zh_Hans"))}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs the gettext tools")
def test_catalogue_holds_every_msgid_of_the_source(tmp_path, monkeypatch):
    """Extract afresh into a scratch copy: a new string in the code must be in the committed .po."""
    work = tmp_path / "caltrace"
    shutil.copytree(PACKAGE, work, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "tests"))
    monkeypatch.chdir(work)
    with override_settings(LOCALE_PATHS=[str(work / "locale")]):
        call_command("makemessages", locale=["en"], add_location="never", verbosity=0)
    fresh = {key(e) for e in live(polib.pofile(str(work / "locale" / "en" / "LC_MESSAGES" / "django.po")))}
    committed = {key(e) for e in live(po_file("en"))}
    assert fresh == committed, (
        "caltrace/locale is out of date: run scripts/i18n and translate the new entries. "
        f"new: {sorted(fresh - committed)[:20]}; gone: {sorted(committed - fresh)[:20]}")


# Templates: every visible Chinese string sits in a translate or blocktranslate tag.
TRANSLATED = re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}|{#.*?#}", re.S)
# A deliberate exception: the 500 page renders without the app, so it carries both languages.
BILINGUAL_ON_PURPOSE = {"500.html"}


def test_templates_have_no_untranslated_chinese():
    offenders = []
    for path in (PACKAGE / "web" / "templates").rglob("*.html"):
        if path.name in BILINGUAL_ON_PURPOSE:
            continue
        rest = TRANSLATED.sub("", path.read_text(encoding="utf-8"))
        for n, line in enumerate(rest.splitlines(), 1):
            if CJK.search(line):
                offenders.append(f"{path.relative_to(PACKAGE)}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
