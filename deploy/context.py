#!/usr/bin/env python3
"""The image's build stage, replayed without a container engine.

Makes the build context as Docker would (the files under the repository, less what
.dockerignore excludes), then replays the Dockerfile's first stage into DEST:

  DEST/deps     what the COPY instructions before the first RUN bring in: the
                dependency layer, built from manifests and stubs alone
  DEST/deps.sh  that first RUN, to be run in DEST/deps
  DEST/src      what every COPY of the stage brings in: the tree of the final build

A build in DEST/deps fails as the image's dependency layer would (a workspace member
whose manifest no COPY brings in, a build script the stubs lack); a release build in
DEST/src fails as the image's would for want of a file, one the context leaves out or
one no COPY brings in.

    python3 deploy/context.py DEST

Prints the image's ENV lines (NAME=value, one a line) on standard output, for running
the binary as the image would.

The .dockerignore rules followed are Docker's: a pattern is a path relative to the
context (a leading / ignored), `*` and `?` match within one path segment, `**` any
number of segments (`**/x` matches `x` at any depth); a pattern that matches a
directory excludes everything under it; `!` makes an exception; the last pattern that
matches a path decides.
"""

import os
import re
import shutil
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
            i += 2
            if pattern.startswith("/", i):
                out.append("(.*/)?")
                i += 1
            else:
                out.append(".*")
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
    """The files Docker would send: everything under the repository, ignored by git or
    not, less what .dockerignore excludes. A directory excluded with no exception
    beneath it is not walked (target/ holds gigabytes)."""
    rules = patterns()
    keeps = [regex for keep, regex in rules if keep]
    files = set()
    for folder, dirs, names in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        relative = "" if relative == "." else relative + "/"
        dirs[:] = [
            d
            for d in dirs
            if not excluded(relative + d, rules)
            or any(k.pattern.startswith("^" + re.escape(relative + d + "/")) for k in keeps)
        ]
        for name in names:
            path = relative + name
            if (ROOT / path).is_file() and not excluded(path, rules):
                files.add(path)
    return files


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
    """The first stage's COPYs into DEST/src; those before its first RUN into DEST/deps
    too, and that RUN into DEST/deps.sh. Returns the last stage's ENV pairs."""
    stage = 0
    env = []
    first_run = None
    for instruction in instructions():
        word, _, rest = instruction.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
            continue
        if word == "ENV" and stage > 1:
            env.extend(re.findall(r'(\w+)=("[^"]*"|\S+)', rest))
            continue
        if word == "RUN" and stage == 1 and first_run is None:
            first_run = rest
            continue
        if word != "COPY" or stage != 1:
            continue
        args = [a for a in rest.split() if not a.startswith("--")]
        *sources, target = args
        for source in sources:
            copy(source, target, len(sources) > 1, dest / "src", files)
            if first_run is None:
                copy(source, target, len(sources) > 1, dest / "deps", files)
    if first_run is None:
        sys.exit("context.py: the build stage has no RUN: nothing builds the dependencies")
    (dest / "deps.sh").write_text(first_run + "\n")
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
