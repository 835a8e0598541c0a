"""The code in docs/ runs and says what it prints.

In each page, untitled ```python blocks run in order in one namespace; a ```text block titled
"Output" right after one must equal what it printed. Blocks titled "PyTorch" run on real torch in
a fresh namespace. Blocks titled with a path (`mytorch/autograd/engine.py`) quote that file: their
lines must appear in it in order ("..." lines stand for elided code). A block preceded by
`<!-- requires: module -->` runs in a fresh namespace, and is skipped while that module is missing.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOT_OURS = {"ops.md", "performance.md"}  # generated, or written from benchmark runs
PAGES = sorted(p for p in DOCS.rglob("*.md") if p.name not in NOT_OURS)

_FENCE = re.compile(r"^(\s*)```(\w*)\s*(.*)$")
_TITLE = re.compile(r'title="([^"]*)"')
_REQUIRES = re.compile(r"<!--\s*requires:\s*([\w.]+)\s*-->")


def _blocks(path: Path) -> list[dict]:
    """Fenced blocks: language, title, requirement, code (dedented), line number."""
    lines = path.read_text().splitlines()
    blocks, i, requires = [], 0, None
    while i < len(lines):
        m = _FENCE.match(lines[i])
        found = _REQUIRES.search(lines[i])
        if found:
            requires = found.group(1)
        if not m:
            if lines[i].strip() and not found:
                requires = None
            i += 1
            continue
        indent, lang, info = m.groups()
        title = _TITLE.search(info)
        body, start = [], i + 1
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :])
            i += 1
        blocks.append(
            {
                "lang": lang,
                "title": title.group(1) if title else None,
                "requires": requires,
                "code": "\n".join(body) + "\n",
                "line": start,
            }
        )
        requires = None
        i += 1
    return blocks


def _run(code: str, namespace: dict, where: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, where, "exec"), namespace)  # noqa: S102
    return out.getvalue()


def _check_output(blocks, k, printed, where):
    nxt = blocks[k + 1] if k + 1 < len(blocks) else None
    if nxt is not None and nxt["lang"] == "text" and nxt["title"] == "Output":
        want = [line.rstrip() for line in nxt["code"].rstrip("\n").splitlines()]
        got = [line.rstrip() for line in printed.rstrip("\n").splitlines()]
        assert got == want, f"{where}: printed\n" + "\n".join(got)


def _is_quote(block) -> bool:
    return block["lang"] == "python" and (block["title"] or "").endswith(".py")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_examples_run_and_print_what_the_page_says(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may write checkpoints
    blocks = _blocks(page)
    namespace = {"__name__": "__docs__"}
    for k, block in enumerate(blocks):
        if block["lang"] != "python" or block["requires"] or _is_quote(block):
            continue
        where = f"{page.relative_to(ROOT)}:{block['line']}"
        if block["title"] == "PyTorch":
            printed = _run(block["code"], {"__name__": "__docs__"}, where)
        else:
            printed = _run(block["code"], namespace, where)
        _check_output(blocks, k, printed, where)


def _optional_blocks():
    for page in PAGES:
        for k, block in enumerate(_blocks(page)):
            if block["lang"] == "python" and block["requires"]:
                yield pytest.param(page, k, id=f"{page.relative_to(DOCS)}:{block['line']}")


@pytest.mark.parametrize("page, k", list(_optional_blocks()))
def test_examples_of_modules_in_progress(page, k, tmp_path, monkeypatch):
    blocks = _blocks(page)
    block = blocks[k]
    try:
        importlib.import_module(block["requires"])
    except ImportError:
        pytest.skip(f"{block['requires']} is not there yet")
    monkeypatch.chdir(tmp_path)
    where = f"{page.relative_to(ROOT)}:{block['line']}"
    printed = _run(block["code"], {"__name__": "__docs__"}, where)
    _check_output(blocks, k, printed, where)


def _quotes():
    for page in PAGES:
        for block in _blocks(page):
            if _is_quote(block):
                yield pytest.param(block, id=f"{page.relative_to(DOCS)}:{block['line']}")


@pytest.mark.parametrize("block", list(_quotes()))
def test_quoted_code_is_in_the_named_file(block):
    """Quoted lines appear in the file in order, consecutively (blank lines aside) unless the
    quote elides with "..."."""
    source = [s.strip() for s in (ROOT / block["title"]).read_text().splitlines()]
    source = [s for s in source if s]
    quoted = [s.strip() for s in block["code"].splitlines() if s.strip()]
    segments, current = [], []
    for line in quoted + ["..."]:
        if line == "...":
            if current:
                segments.append(current)
            current = []
        else:
            current.append(line)
    at = 0
    for segment in segments:
        n = len(segment)
        while at + n <= len(source) and source[at : at + n] != segment:
            at += 1
        where = f"{block['title']} (quoted at docs line {block['line']})"
        assert at + n <= len(source), f"not in {where}, in this order:\n" + "\n".join(segment)
        at += n
