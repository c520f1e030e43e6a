"""The four attachments of a benchmark ticket, of realistic size: noise does not
compress, like real scans. Used by bench/intake.sh and bench/encryption.sh.

    python3 bench/files.py OUT_DIR
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from letter import pdf  # noqa: E402


def png(path, width, height):
    raw = b"".join(b"\x00" + os.urandom(width) for _ in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                  + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def main(out):
    os.makedirs(out)
    png(os.path.join(out, "ktp_scan"), 448, 290)
    png(os.path.join(out, "signature_scan"), 448, 290)
    png(os.path.join(out, "hris_status_screenshot"), 640, 360)
    with open(os.path.join(out, "recommendation_letter"), "wb") as letter:
        letter.write(pdf(os.urandom(150_000)))


if __name__ == "__main__":
    main(sys.argv[1])
