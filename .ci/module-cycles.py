#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a circle.

A module is a file (`foo.rs` or `foo/mod.rs`). An arrow from A to B means A uses something
that B defines:
- a `crate::…` or `super::…` path naming B or an item of B;
- in a parent, a child's path (`child::item`) or a private `use child::…`;
- an item a facade module re-exports (`pub use child::Item;`) counts as the child's: a
  re-export is not itself an arrow, but using the re-exported name in the facade's own
  code is.
Declaring a child (`mod x;`) is not an arrow. Usage: module-cycles.py CRATE_SRC_DIR...
"""
import re
import sys
from pathlib import Path

PATH = re.compile(
    r"\b(crate|super)::((?:[A-Za-z_][A-Za-z0-9_]*::)*)(\{|[A-Za-z_][A-Za-z0-9_]*)"
)
CHILD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", re.M)
USE = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # String literals cannot name modules; drop them so their words do not count.
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def split_group(inner: str) -> list[str]:
    entries, depth, current = [], 0, ""
    for ch in inner:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            entries.append(current)
            current = ""
        else:
            current += ch
    entries.append(current)
    return [e.strip() for e in entries if e.strip()]


def use_leaves(tree: str, prefix=()):
    """Every (path, name) a `use` tree brings in: `a::{b::C, D as E}` gives
    (a,b,C)->C and (a,D)->E."""
    tree = tree.strip()
    if "{" in tree and tree.endswith("}"):
        head, inner = tree.split("{", 1)
        head_parts = tuple(p for p in head.rstrip(":").split("::") if p)
        for entry in split_group(inner[:-1]):
            yield from use_leaves(entry, prefix + head_parts)
        return
    name = None
    if " as " in tree:
        tree, name = (t.strip() for t in tree.split(" as ", 1))
    parts = prefix + tuple(p for p in tree.split("::") if p)
    if parts:
        yield parts, name or parts[-1]


class Module:
    def __init__(self, key, file):
        self.key, self.file = key, file
        self.text = strip_comments(file.read_text())
        self.children = set(CHILD.findall(self.text))
        self.reexports = {}  # name -> child it comes from
        self.private_uses = []  # paths brought in with a private `use`
        for vis, tree in USE.findall(self.text):
            for path, name in use_leaves(tree):
                if vis and path[0] in self.children:
                    self.reexports[name] = path[0]
                elif not vis:
                    self.private_uses.append(path)
        self.code = CHILD.sub("", USE.sub("", self.text))


def load(src: Path):
    mods = {}
    for file in src.rglob("*.rs"):
        parts = list(file.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("lib", "main", "mod"):
            parts = parts[:-1]
        mods[tuple(parts)] = Module(tuple(parts), file)
    return mods


def resolve(mods, base, path):
    """The module that `base::path` names or takes an item from, through facades."""
    for n in range(len(path), -1, -1):
        candidate = base + tuple(path[:n])
        if candidate in mods:
            rest = path[n:]
            module = mods[candidate]
            if rest and rest[0] in module.reexports:
                return resolve(mods, candidate, (module.reexports[rest[0]],) + tuple(rest))
            return candidate
    return None


def arrows(src: Path):
    mods = load(src)
    graph = {key: set() for key in mods}
    for key, module in mods.items():
        parent = key[:-1] if key else key
        targets = set()
        # crate:: and super:: paths, anywhere (uses included).
        for match in PATH.finditer(module.text):
            root, middle, last = match.groups()
            base = () if root == "crate" else parent
            segments = [s for s in middle.split("::") if s]
            if last == "{":
                start = match.start(3)
                depth, i = 0, start
                while i < len(module.text):
                    depth += {"{": 1, "}": -1}.get(module.text[i], 0)
                    if depth == 0:
                        break
                    i += 1
                heads = [e.split("::")[0].split(" as ")[0].strip() for e in split_group(module.text[start + 1 : i])]
            else:
                heads = [last]
            for head in heads:
                targets.add(resolve(mods, base, tuple(segments + [head])))
        # A parent using its children: private uses, paths in code, re-exported names.
        for path in module.private_uses:
            if path[0] in module.children:
                targets.add(resolve(mods, key, path))
        for child in module.children:
            if re.search(rf"\b{child}::", module.code):
                targets.add(key + (child,))
        for name, child in module.reexports.items():
            if re.search(rf"\b{re.escape(name)}\b", module.code):
                targets.add(key + (child,))
        graph[key] = {t for t in targets if t is not None and t not in (key, ())}
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
        graph = arrows(src)
        for component in cycles(graph):
            failed = True
            names = ", ".join("crate::" + "::".join(m) if m else "crate" for m in sorted(component))
            print(f"{src}: modules import each other in a circle: {names}")
            for a in sorted(component):
                for b in sorted(graph[a] & set(component)):
                    print(f"    crate::{'::'.join(a)} -> crate::{'::'.join(b)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
