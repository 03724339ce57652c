#!/usr/bin/env python3
"""The values table of charts/hft-crypto-bot/README.md, generated from the
comments in values.yaml.

Every key of values.yaml must have a comment right above it (no blank line
between); the comment is the key's description. A comment containing
`@raw` marks a map or list passed to Kubernetes as written: its children
are not documented one by one, its default is shown whole.

    values_doc.py --check   exit 1 if a key has no comment or the README
                            table differs from what values.yaml gives
    values_doc.py --write   rewrite the table in the README

Needs PyYAML (scripts/install-helm.sh installs it under
target/tools/kubernetes-validate; test-chart.sh puts that on PYTHONPATH).
"""

import json
import re
import sys
from pathlib import Path

import yaml

CHART = Path(__file__).resolve().parents[2] / "charts" / "hft-crypto-bot"
START, END = "<!-- values:start -->", "<!-- values:end -->"
KEY = re.compile(r"^(\s*)([A-Za-z0-9_.\-]+):(?:\s+(.*))?$")


def rows(values_path):
    """(path, description) for every documented key, and the keys missing a comment."""
    out, missing = [], []
    stack = []  # (indent, key)
    comment = []
    skip_deeper_than = None
    for line in values_path.read_text().splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if skip_deeper_than is not None:
            if stripped == "" or indent > skip_deeper_than:
                continue
            skip_deeper_than = None
        if stripped == "":
            comment = []
            continue
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        if stripped.startswith("- "):
            comment = []
            continue
        m = KEY.match(line)
        if not m:
            comment = []
            continue
        key, rest = m.group(2), (m.group(3) or "").strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k in stack] + [key])
        text = " ".join(comment)
        raw = "@raw" in text
        text = text.replace("@raw", "").strip()
        if text:
            out.append((path, text))
        else:
            missing.append(path)
        comment = []
        stack.append((indent, key))
        if raw or rest in ("|", "|-", ">", ">-"):
            skip_deeper_than = indent
    return out, missing


def lookup(values, path):
    node = values
    for k in path.split("."):
        node = node[k]
    return node


def fmt_default(v):
    s = json.dumps(v, separators=(",", ":"))
    if (isinstance(v, str) and "\n" in v) or len(s) > 80:
        return "(see values.yaml)"
    return "`" + s.replace("|", "\\|") + "`"


def kind(v):
    return {dict: "object", list: "list", str: "string", bool: "bool", int: "int", float: "number", type(None): "null"}[type(v)]


def table(values_path):
    documented, missing = rows(values_path)
    values = yaml.safe_load(values_path.read_text())
    lines = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    for path, text in documented:
        v = lookup(values, path)
        has_children = isinstance(v, dict) and v and any(
            p.startswith(path + ".") for p, _ in documented
        )
        default = "" if has_children else fmt_default(v)
        desc = text.replace("|", "\\|")
        lines.append(f"| `{path}` | {kind(v)} | {default} | {desc} |")
    return "\n".join(lines) + "\n", missing


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    readme = CHART / "README.md"
    generated, missing = table(CHART / "values.yaml")
    text = readme.read_text()
    if START not in text or END not in text:
        sys.exit(f"{readme}: no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{generated}{END}{tail}"
    if mode == "--write":
        readme.write_text(new)
        print(f"wrote {readme}")
    if missing:
        print("keys of values.yaml with no comment (undocumented):", ", ".join(missing))
        sys.exit(1)
    if mode == "--check" and new != text:
        sys.exit(f"{readme}: the values table is stale; run {sys.argv[0]} --write")


if __name__ == "__main__":
    main()
