"""What the code cites exists: every `docs/facts.md N.N` reference names a section of
docs/facts.md, and every multi-word command is spelt with hyphens (the old
underscore spellings answer as aliases of the same command)."""

from __future__ import annotations

import re
from pathlib import Path

import reetrace

ROOT = Path(reetrace.__file__).resolve().parents[2]
CITATION = re.compile(r"docs/facts\.md(?: section)? (\d+(?:\.\d+)?)")
ALIASES = {"verify_chain": "verify-chain", "bench_run": "bench-run"}


def cited_sections() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in ("src", "tests", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".toml", ".csv", ".md"} or path.name == "facts.md":
                continue
            for section in CITATION.findall(path.read_text(encoding="utf-8")):
                found.setdefault(section, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_cited_section_of_the_facts_exists():
    headings = set(
        re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", (ROOT / "docs" / "facts.md").read_text(), re.M)
    )
    cited = cited_sections()
    assert {"4.2", "6.1", "7"} <= set(cited)
    missing = {section: where for section, where in cited.items() if section not in headings}
    assert not missing, missing


def test_commands_are_spelt_with_hyphens_and_old_spellings_are_aliases():
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    reetrace_commands = {name for name, app in commands.items() if app.startswith("reetrace.")}
    assert {name for name in reetrace_commands if "_" in name} == set(ALIASES)
    for old, new in ALIASES.items():
        alias = load_command_class(commands[old], old)
        assert type(alias) is type(load_command_class(commands[new], new))
