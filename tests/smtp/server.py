"""A real SMTP server for certdesk's tests, with faults on demand.

It speaks SMTP through aiosmtpd on a loopback port and takes orders on a second
loopback port, one line per command, one JSON line back:

  faults                      -> the current faults
  tempfail on|off             -> answer 451 to every RCPT while on
  reject <address>            -> answer 550 to RCPT for that address
  accept <address>            -> stop rejecting it
  drop_after_data <n>         -> for the next n messages: keep the message, then close
                                 the connection without answering the final "."
  count                       -> {"count": messages received so far}
  messages                    -> every message received: envelope, main headers, and the
                                 session's peer (address, port)
  clear                       -> forget the messages

On start it prints `READY <smtp port> <control port>` and then serves until stdin
closes (the test harness holding it dies) or it is killed.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


# SMTP_SINK=1: accept and count only (for bench/mail.sh), so that the server's own
# parsing does not set the pace.
SINK = os.environ.get("SMTP_SINK") == "1"


class Faults:
    def __init__(self):
        self.tempfail = False
        self.rejected = set()
        self.drop_after_data = 0

    def as_dict(self):
        return {
            "tempfail": self.tempfail,
            "rejected": sorted(self.rejected),
            "drop_after_data": self.drop_after_data,
        }


class Handler:
    def __init__(self, faults, received):
        self.faults = faults
        self.received = received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.faults.tempfail:
            return "451 4.3.0 Temporarily unable to accept mail, try again later"
        if address.lower() in self.faults.rejected:
            # As real servers do, the reply quotes the address: the worker must not
            # carry it into its logs or the dead-letter list.
            return f"550 5.1.1 <{address}>: Recipient address rejected: No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if SINK:
            # Benchmarks: count, keep nothing, parse nothing.
            self.received.append(None)
            return "250 2.0.0 Queued"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(
            {
                "mail_from": envelope.mail_from,
                # The client's address and port: one per SMTP session.
                "peer": list(session.peer),
                "rcpt_tos": list(envelope.rcpt_tos),
                "message_id": message.get("Message-ID"),
                "subject": message.get("Subject"),
                "to": message.get("To"),
                "content_language": message.get("Content-Language"),
                "auto_submitted": message.get("Auto-Submitted"),
                "text": _part(message, "plain"),
                "html": _part(message, "html"),
            }
        )
        if self.faults.drop_after_data > 0:
            self.faults.drop_after_data -= 1
            # The message is kept (as a real server might have queued it), but the client
            # never hears so: the ambiguous case the worker must retry only once.
            server.transport.abort()
            return "250 never seen"
        return "250 2.0.0 Queued"


def _part(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        # A bounce (multipart/report) is not a body get_body looks into: its first
        # part of the subtype is what a person reads.
        part = next(
            (p for p in message.walk() if p.get_content_type() == f"text/{subtype}"),
            None,
        )
    return part.get_content() if part is not None else None


async def control(reader, writer, faults, received):
    while True:
        line = await reader.readline()
        if not line:
            break
        words = line.decode().split()
        command, args = (words[0], words[1:]) if words else ("", [])
        if command == "tempfail":
            faults.tempfail = args[0] == "on"
            reply = faults.as_dict()
        elif command == "reject":
            faults.rejected.add(args[0].lower())
            reply = faults.as_dict()
        elif command == "accept":
            faults.rejected.discard(args[0].lower())
            reply = faults.as_dict()
        elif command == "drop_after_data":
            faults.drop_after_data = int(args[0])
            reply = faults.as_dict()
        elif command == "faults":
            reply = faults.as_dict()
        elif command == "count":
            reply = {"count": len(received)}
        elif command == "messages":
            reply = received
        elif command == "clear":
            received.clear()
            reply = {"count": 0}
        else:
            reply = {"error": f"unknown command {command!r}"}
        writer.write(json.dumps(reply).encode() + b"\n")
        await writer.drain()
    writer.close()


async def main():
    faults, received = Faults(), []
    handler = Handler(faults, received)
    # Port 0 would leave the port unknown to Controller's own readiness check, so take a
    # free port from the kernel first.
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    smtp_port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=smtp_port,
        server_kwargs={"data_size_limit": 10 * 1024 * 1024},
    )
    controller.start()
    server = await asyncio.start_server(
        lambda r, w: control(r, w, faults, received), "127.0.0.1", 0
    )
    control_port = server.sockets[0].getsockname()[1]
    print(f"READY {smtp_port} {control_port}", flush=True)
    loop = asyncio.get_running_loop()
    # Serve until the harness goes away (its end of our stdin closes).
    await loop.run_in_executor(None, sys.stdin.read)
    controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
