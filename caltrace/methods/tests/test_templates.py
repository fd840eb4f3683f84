"""The methods templates: every visible Chinese string sits in a translate or blocktranslate tag."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TRANSLATED = re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}|{#.*?#}", re.S)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")


def test_templates_have_no_untranslated_chinese():
    offenders = []
    paths = list(TEMPLATES.rglob("*.html"))
    assert paths
    for path in paths:
        rest = TRANSLATED.sub("", path.read_text(encoding="utf-8"))
        offenders += [f"{path.name}: {line.strip()}" for line in rest.splitlines() if CJK.search(line)]
    assert not offenders, "\n".join(offenders)
