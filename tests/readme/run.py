#!/usr/bin/env python3
"""Runs the README's walkthroughs as printed, so that they cannot drift from the program.

Every fenced block that follows a `<!-- walkthrough: NAME -->` line is run, in the
README's order, from a fresh copy of the repository root (the `samples/` folder is all
the walkthroughs read) against a fresh `certdesk serve` on 127.0.0.1:8080 with the
embedded defaults, as a newcomer would run them. Shell blocks run in bash, one after
another, keeping their variables and functions; Python blocks run with the pinned
`samples/requirements.txt`. After each block, a check below looks at what it printed
(the status codes and the shape of each answer).

    CERTDESK_BIN=target/debug/certdesk CERTDESK_VENV=target/test-venv python3 tests/readme/run.py
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
MARK = re.compile(r"^\s*<!-- walkthrough: ([a-z0-9-]+) -->\s*$")
FENCE = re.compile(r"^\s*```(sh|python)\s*$")


def blocks(readme: Path):
    lines = readme.read_text().splitlines()
    found, i = [], 0
    while i < len(lines):
        mark = MARK.match(lines[i])
        if not mark:
            i += 1
            continue
        fence = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not fence:
            sys.exit(f"README line {i + 1}: a walkthrough mark must be followed by a ```sh or ```python block")
        indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
        body, j = [], i + 2
        while not lines[j].strip().startswith("```"):
            body.append(lines[j][indent:])
            j += 1
        found.append((mark.group(1), fence.group(1), "\n".join(body) + "\n"))
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
        expect(out.startswith("201 "), "filed")
    elif name == "officers":
        expect("0 new, 3 updated" in out, "the same officers again: updated")
    else:
        raise AssertionError(f"no check for the walkthrough {name!r}: add one to tests/readme/run.py")


def state_env(state: Path):
    """The exported variables a state file holds."""
    env = {}
    for line in state.read_text().splitlines():
        m = re.match(r'^declare -x ([A-Za-z_][A-Za-z0-9_]*)="(.*)"$', line)
        if m:
            env[m.group(1)] = m.group(2)
    return env


def run_shell(code, work, state, env):
    script = (
        "set -euo pipefail\nset -a\n"
        f"source {state}\n"
        f"cd {work}\n"
        f"{code}\n"
        f"{{ export -p; declare -f; }} > {state}.next\n"
    )
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        Path(f"{state}.next").replace(state)
    return done


def main():
    binary = Path(os.environ.get("CERTDESK_BIN", ROOT / "target/debug/certdesk")).resolve()
    venv = Path(os.environ.get("CERTDESK_VENV", ROOT / "target/test-venv")).resolve()
    if not binary.exists():
        sys.exit(f"no certdesk binary at {binary}: build it (cargo build --bin certdesk) or set CERTDESK_BIN")
    python = venv / "bin/python"
    if subprocess.run([python, "-c", "import requests"], capture_output=True).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "-r", ROOT / "samples/requirements.txt"], check=True)

    probe = socket.socket()
    if probe.connect_ex(("127.0.0.1", 8080)) == 0:
        sys.exit("something already listens on 127.0.0.1:8080, where the README's walkthroughs expect certdesk")
    probe.close()

    walkthroughs = blocks(ROOT / "README.md")
    work = Path(tempfile.mkdtemp(prefix="certdesk-readme-"))
    shutil.copytree(ROOT / "samples", work / "samples")
    bin_dir = work / ".bin"
    bin_dir.mkdir()
    (bin_dir / "certdesk").symlink_to(binary)
    (bin_dir / "python3").symlink_to(python)
    # A newcomer's environment: no CERTDESK_* settings, `certdesk` on the PATH.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTDESK_", "RUST_LOG"))}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    state = work / ".state"
    state.write_text("")

    log = open(work / "server.log", "w")
    server = subprocess.Popen([binary, "serve"], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    failed = False
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", 8080), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError("certdesk serve stopped at start")
                time.sleep(0.1)
        first_run = (work / "server.log").read_text()
        if "certdesk demo" not in first_run:
            raise AssertionError(f"a fresh serve says how to get in (certdesk demo):\n{first_run}")
        for name, language, code in walkthroughs:
            # The outbox is written by the in-process worker as it polls: give it time.
            for attempt in range(20 if name == "outbox" else 1):
                if language == "sh":
                    done = run_shell(code, work, state, env)
                else:
                    (work / f"{name}.py").write_text(code)
                    done = run_shell(f"python3 {name}.py", work, state, env)
                out = done.stdout
                try:
                    if done.returncode != 0:
                        raise AssertionError(f"{name}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
                    check(name, out, work, state)
                    print(f"ok   {name}")
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
    print(f"{len(walkthroughs)} walkthroughs ran as printed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
