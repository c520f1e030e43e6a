#!/usr/bin/env python3
"""The image's build stage, replayed without a container engine.

Makes the build context as Docker would (the repository's files, less what .dockerignore
excludes), then replays the Dockerfile's first stage's COPY instructions from that
context into DEST. A release build in DEST then fails exactly where the image's build
would for want of a file: one the context leaves out, or one no COPY brings in.

    python3 deploy/context.py DEST

Prints the image's ENV lines (NAME=value, one a line) on standard output, for running
the binary as the image would.

The .dockerignore rules followed are Docker's: a pattern is a path relative to the
context (a leading / ignored), `*` and `?` match within one path segment, `**` any
number of segments; a pattern that matches a directory excludes everything under it;
`!` makes an exception; the last pattern that matches a path decides.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def patterns():
    ignore = ROOT / ".dockerignore"
    rules = []
    if not ignore.exists():
        return rules
    for line in ignore.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = os.path.normpath(line[1:] if keep else line).lstrip("/")
        rules.append((keep, re.compile(glob_to_regex(pattern))))
    return rules


def glob_to_regex(pattern):
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if pattern.startswith("/", i):
                out.append("/?")
                i += 1
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "^" + "".join(out) + "$"


def excluded(path, rules):
    """Whether `path` (relative, with /) is left out of the context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for keep, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            verdict = not keep
    return verdict


def context_files():
    """The files Docker would send: those git knows (tracked or not ignored), less
    what .dockerignore excludes."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    rules = patterns()
    return {
        path
        for path in listed.split("\0")
        if path and (ROOT / path).is_file() and not excluded(path, rules)
    }


def instructions():
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    joined = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        joined.append((current + stripped).strip())
        current = ""
    return joined


def replay(dest, files):
    stage = 0
    env = []
    for instruction in instructions():
        word, _, rest = instruction.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
            continue
        if word == "ENV" and stage > 1:
            env.extend(re.findall(r'(\w+)=("[^"]*"|\S+)', rest))
            continue
        if word != "COPY" or stage != 1:
            continue
        args = [a for a in rest.split() if not a.startswith("--")]
        *sources, target = args
        for source in sources:
            copy(source, target, len(sources) > 1, dest, files)
    return env


def copy(source, target, many, dest, files):
    source = os.path.normpath(source)
    source = "" if source == "." else source.lstrip("/")
    inside = sorted(f for f in files if source == "" or f == source or f.startswith(source + "/"))
    if not inside:
        sys.exit(
            f"context.py: COPY {source}: not in the build context "
            "(missing from the repository, or excluded by .dockerignore)"
        )
    into_dir = target.endswith("/") or many or (source not in files)
    base = dest / target.lstrip("/")
    for path in inside:
        if path == source and not into_dir:
            out = base
        elif path == source:
            out = base / Path(path).name
        else:
            out = base / path[len(source) + 1 :] if source else base / path
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: deploy/context.py DEST")
    dest = Path(sys.argv[1]).resolve()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    env = replay(dest, context_files())
    for name, value in env:
        print(f"{name}={value.strip(chr(34))}")


if __name__ == "__main__":
    main()
