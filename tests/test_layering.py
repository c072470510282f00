"""Dependencies point one way (DESIGN.md, "Architecture"): tuyengiao → bot → knowledge ←
indexer; inside bot/, channels → core ← features → services → storage; no feature imports
another feature or a platform, and features name no platform.

An AST walk over every module of the four packages: each import (at module level, inside a
function, under TYPE_CHECKING alike) is checked against the rules below. A new feature is any
package under bot/ that is not one of the shared layers, so it is covered without a change
here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("tuyengiao", "bot", "knowledge", "indexer")
# What each top-level package may import of the others.
TOP_LEVEL = {
    "tuyengiao": {"tuyengiao", "bot", "knowledge", "indexer"},
    "bot": {"bot", "knowledge"},
    "knowledge": {"knowledge"},
    "indexer": {"indexer", "knowledge"},
}
# Inside bot/: the shared layers, and what each may import (features: every other package).
LAYERS = {
    "messages": {"messages"},
    "storage": {"storage"},
    "services": {"services", "storage", "messages"},
    "core": {"core", "services", "storage", "messages"},
    "inbox": {"inbox", "core", "storage"},
    "channels": {"channels", "core", "messages"},
}
FEATURE_MAY_IMPORT = {"core", "services", "storage", "messages"}
PLATFORM_NAMES = {"telegram", "zalo"}


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found.append((dotted.removesuffix(".__init__"), path))
    return found


def imports(module: str, path: Path, known: set[str], *,
            load_time_only: bool = False) -> set[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved; "from
    bot import messages" names the module bot.messages, "from bot.core.types import Chat"
    the module bot.core.types. `load_time_only`: only the module's top-level statements (not
    those in functions or under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = tree.body if load_time_only else list(ast.walk(tree))
    out: set[tuple[int, str]] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {(node.lineno, alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            for alias in node.names:
                sub = f"{name}.{alias.name}"
                out.add((node.lineno, sub if sub in known else name))
    return out


def bot_part(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "bot" else None


def violations() -> list[str]:
    known = {m for m, _ in modules()}
    found: list[str] = []
    for module, path in modules():
        top = module.split(".")[0]
        where = f"{path.relative_to(REPO)}"
        for line, name in sorted(imports(module, path, known)):
            target_top = name.split(".")[0]
            if target_top not in PACKAGES:
                continue  # the standard library and third parties
            if target_top not in TOP_LEVEL[top]:
                found.append(f"{where}:{line}: {top} imports {name}")
                continue
            if top != "bot" or target_top != "bot":
                continue
            mine, theirs = bot_part(module), bot_part(name)
            if mine is None or theirs is None or mine == theirs:
                continue
            if mine in LAYERS:
                if theirs not in LAYERS[mine]:
                    found.append(f"{where}:{line}: bot.{mine} imports {name}")
            elif theirs not in FEATURE_MAY_IMPORT:
                kind = "a platform" if theirs == "channels" else "another feature"
                found.append(f"{where}:{line}: feature bot.{mine} imports {kind}: {name}")
    return found


def platform_names_in_features() -> list[str]:
    """String literals "telegram"/"zalo" in a feature's code: what a chat can do is told by
    its capabilities, never by the platform's name."""
    found = []
    for module, path in modules():
        part = bot_part(module)
        if part is None or part in LAYERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.lower() in PLATFORM_NAMES:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    return found


def test_dependencies_point_one_way() -> None:
    assert violations() == []


def test_features_do_not_name_platforms() -> None:
    assert platform_names_in_features() == []


@pytest.mark.parametrize("source, expected", [
    ("from bot.channels.telegram.channel import TelegramChannel", "imports a platform"),
    ("from bot.polls import service", "imports another feature"),
    ("import tuyengiao.settings", "bot imports tuyengiao"),
    ("from indexer.chunking import chunk_document", "bot imports indexer"),
])
def test_a_forbidden_import_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      source: str, expected: str) -> None:
    """The rules catch what they should: a feature module that imports a platform, another
    feature, the entry point or the indexer (written to a copy of the layout)."""
    fake = tmp_path / "repo"
    for package in PACKAGES:
        (fake / package).mkdir(parents=True)
        (fake / package / "__init__.py").write_text("")
    (fake / "bot" / "broadcast").mkdir()
    (fake / "bot" / "broadcast" / "__init__.py").write_text("")
    (fake / "bot" / "broadcast" / "feature.py").write_text(source + "\n")
    monkeypatch.setitem(globals(), "REPO", fake)
    found = violations()
    assert len(found) == 1 and expected in found[0], found


def test_no_import_cycles() -> None:
    """No module imports itself through others at load time (a cycle works only by the luck
    of which module is imported first)."""
    known = {m for m, _ in modules()}
    graph = {m: {name for _, name in imports(m, p, known, load_time_only=True)
                 if name in known and name != m} for m, p in modules()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [node, nxt] if nxt in trail
                              else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]",
                        re.IGNORECASE)


def test_the_bots_vietnamese_is_in_its_messages_modules() -> None:
    """Every user-facing Vietnamese string of the bot lives in bot/messages.py or a feature's
    messages.py beside it (docstrings and comments are developers' text)."""
    found = []
    for module, path in modules():
        if not module.startswith("bot.") or module.endswith("messages"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                           ast.AsyncFunctionDef)) and ast.get_docstring(node)}
        found += [f"{path.relative_to(REPO)}:{node.lineno}: {node.value[:40]!r}"
                  for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings and VIETNAMESE.search(node.value)]
    assert found == []
