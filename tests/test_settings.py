"""`.env.example` lists every setting (the team's rule), each under a comment."""

from __future__ import annotations

import re

from tests.conftest import REPO
from tuyengiao.settings import Settings


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    listed: dict[str, int] = {}
    for i, line in enumerate(lines):
        if m := re.match(r"#?\s?([A-Z][A-Z0-9_]+)=", line):
            listed.setdefault(m[1], i)
    expected = {name.upper() for name in Settings.model_fields}
    assert expected - set(listed) == set()
    setting = re.compile(r"#?\s?[A-Z][A-Z0-9_]+=")
    for name in expected:
        i = listed[name] - 1
        while i >= 0 and setting.match(lines[i]):  # settings grouped under one comment
            i -= 1
        assert i >= 0 and lines[i].startswith("#"), f"{name} has no comment above it"
