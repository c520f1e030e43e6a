#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a circle.

A module is a file (`foo.rs` or `foo/mod.rs`); an arrow is a `crate::…` or `super::…`
path in it that names another module or an item of one. Declaring a child (`mod x;`)
and re-exporting it are not arrows. Usage: module-cycles.py CRATE_SRC_DIR...
"""
import re
import sys
from pathlib import Path

PATH = re.compile(r"\b(crate|super)::((?:[A-Za-z_][A-Za-z0-9_]*::)*)(\{|[A-Za-z_][A-Za-z0-9_]*)")


def modules(src: Path) -> dict[tuple[str, ...], Path]:
    found = {}
    for file in src.rglob("*.rs"):
        parts = list(file.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("lib", "main", "mod"):
            parts = parts[:-1]
        found[tuple(parts)] = file
    return found


def strip_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def group_items(text: str, start: int) -> list[str]:
    """The first path segment of each entry of a `{…}` group starting at `start`."""
    depth, i = 0, start
    while i < len(text):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            break
        i += 1
    inner, entries, depth, current = text[start + 1 : i], [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            entries.append(current)
            current = ""
        else:
            current += ch
    entries.append(current)
    return [e.strip().split("::")[0].strip() for e in entries if e.strip()]


def arrows(src: Path) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    mods = modules(src)
    graph = {m: set() for m in mods}
    for here, file in mods.items():
        parent = here[:-1] if here else here
        text = strip_comments(file.read_text())
        for match in PATH.finditer(text):
            root, middle, last = match.groups()
            base = () if root == "crate" else parent
            segments = [s for s in middle.split("::") if s]
            heads = group_items(text, match.start(3)) if last == "{" else [last]
            for head in heads:
                path = tuple(segments + [head])
                # The longest prefix that is a module is what the path points into.
                target = None
                for n in range(len(path), -1, -1):
                    candidate = base + path[:n]
                    if candidate in mods:
                        target = candidate
                        break
                if target is not None and target not in (here, ()):
                    graph[here].add(target)
    return graph


def cycles(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main() -> int:
    failed = False
    for src in map(Path, sys.argv[1:]):
        for component in cycles(arrows(src)):
            failed = True
            names = ", ".join("crate::" + "::".join(m) for m in sorted(component))
            print(f"{src}: modules import each other in a circle: {names}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
