"""Baseline for bench/mail.sh: the same number of messages, of the same size, sent
straight to the same SMTP server by Python's smtplib over the same number of
persistent connections. What the sink and loopback allow on this machine, measured in
the same run as certdesk's worker."""

import smtplib
import sys
import threading
import time

port, total, connections, size = (int(a) for a in sys.argv[1:5])
body = (
    "From: desk@certdesk.invalid\r\nTo: bench@kemenkeu.go.id\r\nSubject: [S00000000001] bench\r\n"
    "Message-ID: <{n}@certdesk.invalid>\r\n\r\n"
    # Lines of 76 characters, as quoted-printable bodies have.
    + ("x" * 74 + "\r\n") * (size // 76)
)
counter = iter(range(total))
lock = threading.Lock()


def sender():
    smtp = smtplib.SMTP("127.0.0.1", port)
    while True:
        with lock:
            n = next(counter, None)
        if n is None:
            break
        smtp.sendmail("desk@certdesk.invalid", ["bench@kemenkeu.go.id"], body.format(n=n))
    smtp.quit()


start = time.monotonic()
threads = [threading.Thread(target=sender) for _ in range(connections)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{total / (time.monotonic() - start):.0f}")
