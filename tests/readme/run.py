#!/usr/bin/env python3
"""Runs the walkthroughs of the README and the guides as printed, so that they cannot
drift from the program.

Every fenced block that follows a `<!-- walkthrough: NAME -->` line is run, page by page
in the order of PAGES and in each page's order, from a fresh copy of the repository root
(the `samples/` folder is all the walkthroughs read) against a fresh `certdesk serve`
with the embedded defaults, as a newcomer would run them: shell blocks one after another
in one bash, as in one terminal (plain variables stay plain, only what a block exports
reaches the programs it starts), with the machine's own `python3`. A Python block marked
`<!-- walkthrough: save FILE -->` is saved as FILE for a later block to run, as the page
says to. After each shell block, a check below looks at what it printed (the status
codes and the shape of each answer).

One thing differs from a person's terminal: the server listens on a free port of its
own, and `127.0.0.1:8080` in the blocks is read as that port, so a Quick start server
left running does not stand in the way.

    TEST_CERTDESK_BIN=target/debug/certdesk python3 tests/readme/run.py
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = re.compile(r"^\s*<!-- walkthrough: ([a-z0-9-]+)(?: ([A-Za-z0-9_.-]+))? -->\s*$")
PAGES = ["README.md", "docs/integrators.md", "docs/desk.md", "docs/operators.md", "docs/security.md"]
# What a person's terminal has of its own, which a block's state must not carry over.
SHELL_OWN = re.compile(r"^(BASH[A-Z_]*|SHELLOPTS|EUID|UID|PPID|SHLVL|PWD|OLDPWD|_|FUNCNAME|GROUPS|"
                       r"DIRSTACK|PIPESTATUS|RANDOM|SECONDS|LINENO|HISTCMD|COLUMNS|LINES|OPTIND|"
                       r"OPTERR|IFS|PS[0-9]|SRANDOM|EPOCH[A-Z]*|HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE)$")
FENCE = re.compile(r"^\s*```(sh|python)\s*$")


def blocks(page: Path):
    """(name, language, code, file to save to or None) for each walkthrough of a page."""
    lines = page.read_text().splitlines()
    found, i = [], 0
    while i < len(lines):
        mark = MARK.match(lines[i])
        if not mark:
            i += 1
            continue
        fence = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not fence:
            sys.exit(f"{page.name} line {i + 1}: a walkthrough mark must be followed by a ```sh or ```python block")
        indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
        body, j = [], i + 2
        while not lines[j].strip().startswith("```"):
            body.append(lines[j][indent:])
            j += 1
        name, save = mark.group(1), mark.group(2)
        if (name == "save") != (save is not None and fence.group(1) == "python"):
            sys.exit(f"{page.name} line {i + 1}: `walkthrough: save FILE` marks a python block, and only it")
        found.append((name, fence.group(1), "\n".join(body) + "\n", save))
        i = j + 1
    return found


def json_lines(text):
    """Every JSON object or array in `text`, in order (curl prints one answer after
    another, not always with a line break between them)."""
    decoder, out, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i] in "{[":
            try:
                value, end = decoder.raw_decode(text, i)
                out.append(value)
                i = end
                continue
            except json.JSONDecodeError:
                pass
        i += 1
    return out


def check(name, out, work, state):
    """What each walkthrough must have printed or left behind; raises on a difference."""
    def expect(condition, what):
        if not condition:
            shown = out if len(out) < 3000 else out[:1500] + "\n…\n" + out[-1500:]
            raise AssertionError(f"{name}: {what}\n--- output ---\n{shown}")

    env = state_env(state)
    if name == "demo":
        for who in ("REQUESTER", "OFFICER", "AGENT", "SUPERVISOR"):
            expect(env.get(who, "").count(".") == 2, f"${who} is a JWT")
    elif name == "file":
        expect("HTTP/1.1 201" in out, "201 Created")
        body = json_lines(out)[-1]
        expect(body["number"] == "S00000000001", "the first ticket's number")
        expect(body["status"] == "awaiting_endorsement", "15.1 waits for the officer")
    elif name == "read":
        ticket = json_lines(out)[0]
        expect(ticket["number"] == "S00000000001" and len(ticket["attachments"]) == 5, "the ticket with its five files")
        expect((work / "S00000000001-ktp_scan.png").stat().st_size > 0, "the scan was saved")
    elif name == "validate":
        report = json_lines(out)[-1]
        codes = {e["code"] for e in report["errors"]}
        expect(report["valid"] is False, "valid: false")
        expect({"nip_format", "email_hyphen", "attachment_dimensions", "attachment_missing"} <= codes, f"the documented problems, got {sorted(codes)}")
    elif name == "issue":
        expect(env.get("REQUESTER", "").count(".") == 2 and env.get("AGENT", "").count(".") == 2, "tokens, and nothing else, captured")
    elif name == "api-tokens":
        expect(env.get("TOKEN", "").startswith("cdk_"), "an API token, and nothing else, captured")
        expect("hr-portal" in out, "the token listed")
    elif name == "life":
        steps = json_lines(out)
        statuses = [s["status"] for s in steps if isinstance(s, dict) and "status" in s]
        expect(statuses == ["submitted", "in_review", "awaiting_requester", "awaiting_requester", "in_review", "in_review",
                            "awaiting_requester_at_authority", "waiting_on_authority", "resolved", "closed"],
               f"every step, got {statuses}")
        expect("exit 0" in out, "the email reply taken")
        expect(any(e.get("reason") == "Passphrase sudah saya atur sendiri melalui tautan dari BSrE."
                   for e in steps[-1] if isinstance(e, dict)), "the email's new text, as the requester's reply")
        tickets = [s for s in steps if isinstance(s, dict) and "status" in s and "number" in s]
        expect(tickets[5]["authority_status"]["certificate_status"] == "New", "the finding recorded")
        expect(tickets[6]["authority_link"]["step"] == "set_passphrase", "the link and its deadline")
        expect(tickets[-1]["authority_status"]["certificate_status"] == "Issue", "resolve records the finding")
        history = steps[-1]
        expect(isinstance(history, list) and len(history) >= 10, "the history")
    elif name == "outbox":
        expect(re.search(r"\.eml\b", out), "status emails written as .eml files")
    elif name == "integrator-curl":
        body = json_lines(out)[-1]
        expect(body["status"] == "submitted", "15.2 needs no endorsement")
    elif name == "integrator-python":
        expect(re.search(r"^201 ", out, re.M), "filed")
    elif name == "officers":
        expect("0 new, 3 updated" in out, "the same officers again: updated")
    else:
        raise AssertionError(f"no check for the walkthrough {name!r}: add one to tests/readme/run.py")


def state_env(state: Path):
    """The variables a state file holds, exported or not."""
    env = {}
    for line in state.read_text().splitlines():
        m = re.match(r'^declare -[-a-zA-Z]* ([A-Za-z_][A-Za-z0-9_]*)="(.*)"$', line)
        if m:
            env[m.group(1)] = m.group(2)
    return env


def run_shell(code, work, state, env):
    # The block's variables (exported or not, as it left them) and functions are kept for
    # the next, as one terminal keeps them; bash's own and readonly ones are not.
    script = (
        "set -euo pipefail\n"
        f"source {state}\n"
        f"cd {work}\n"
        f"{code}\n"
        f"{{ declare -p | grep -Ev '^declare -[a-zA-Z]*r' "
        f"| grep -Ev '^declare -[-a-zA-Z]* ({SHELL_OWN.pattern[2:-2]})='; declare -f; }} > {state}.next\n"
    )
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        Path(f"{state}.next").replace(state)
    return done


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    binary = Path(os.environ.get("TEST_CERTDESK_BIN", ROOT / "target/debug/certdesk")).resolve()
    if not binary.exists():
        sys.exit(f"no certdesk binary at {binary}: build it (cargo build --bin certdesk) or set TEST_CERTDESK_BIN")

    port = free_port()
    here = f"127.0.0.1:{port}"
    walkthroughs = [
        (name, language, code.replace("127.0.0.1:8080", here), save)
        for page in PAGES
        for name, language, code, save in blocks(ROOT / page)
    ]
    work = Path(tempfile.mkdtemp(prefix="certdesk-walkthroughs-"))
    shutil.copytree(ROOT / "samples", work / "samples")
    bin_dir = work / ".bin"
    bin_dir.mkdir()
    (bin_dir / "certdesk").symlink_to(binary)
    # A newcomer's environment: no CERTDESK_* settings, `certdesk` on the PATH.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTDESK_", "RUST_LOG"))}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    state = work / ".state"
    state.write_text("")

    log = open(work / "server.log", "w")
    server_env = dict(env, CERTDESK_SERVER__LISTEN=here)
    server = subprocess.Popen([binary, "serve"], cwd=work, env=server_env, stdout=log, stderr=subprocess.STDOUT)
    failed = False
    ran = 0
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError("certdesk serve stopped at start")
                time.sleep(0.1)
        first_run = (work / "server.log").read_text()
        if "certdesk demo" not in first_run:
            raise AssertionError(f"a fresh serve says how to get in (certdesk demo):\n{first_run}")
        for name, language, code, save in walkthroughs:
            if save:
                (work / save).write_text(code)
                print(f"ok   saved {save}")
                continue
            # The outbox is written by the in-process worker as it polls: give it time.
            for attempt in range(20 if name == "outbox" else 1):
                done = run_shell(code, work, state, env)
                out = done.stdout
                try:
                    if done.returncode != 0:
                        raise AssertionError(f"{name}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
                    check(name, out, work, state)
                    print(f"ok   {name}")
                    ran += 1
                    break
                except AssertionError:
                    if attempt == 19 or name != "outbox":
                        raise
                    time.sleep(0.5)
    except (AssertionError, KeyError, IndexError, json.JSONDecodeError) as error:
        failed = True
        print(f"FAIL {error}", file=sys.stderr)
        print("--- server log (last 30 lines) ---", file=sys.stderr)
        print("\n".join((work / "server.log").read_text().splitlines()[-30:]), file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    if failed:
        print(f"(the walkthroughs' folder is kept: {work})", file=sys.stderr)
        return 1
    shutil.rmtree(work)
    print(f"{ran} walkthroughs ran as printed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
