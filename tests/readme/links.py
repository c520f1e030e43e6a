#!/usr/bin/env python3
"""Follows every link between the pages (README, ARCHITECTURE, the guides, the samples'
page): a file that is not there, or a heading a link names that the page does not have,
fails. Links out of the repository (http, mailto) are left alone: nothing here reaches
the internet.

    python3 tests/readme/links.py
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "ARCHITECTURE.md", "samples/README.md", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def prose(text):
    """The page without its fenced blocks and inline code, where brackets are not links."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append(re.sub(r"`[^`]*`", "", line))
    return out


def anchors(page: Path):
    """The anchors GitHub gives the page's headings (a repeated one gets -1, -2, …)."""
    seen, found = {}, set()
    fenced = False
    for line in page.read_text().splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        heading = re.match(r"^#{1,6} (.+)$", line)
        if fenced or not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def main():
    broken, followed = [], 0
    for name in PAGES:
        page = ROOT / name
        # The whole page at once: a link's text may wrap onto the next line.
        for target in LINK.findall("\n".join(prose(page.read_text()))):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            goal = (page.parent / path).resolve() if path else page
            followed += 1
            if not goal.exists():
                broken.append(f"{name}: {target}: no such file")
            elif anchor and goal.suffix == ".md" and anchor not in anchors(goal):
                broken.append(f"{name}: {target}: no heading #{anchor} in {goal.relative_to(ROOT)}")
    if broken:
        print("\n".join(broken), file=sys.stderr)
        return 1
    print(f"{followed} links between {len(PAGES)} pages followed, none broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
