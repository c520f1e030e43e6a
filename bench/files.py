"""The four attachments of a benchmark ticket, of realistic size: noise does not
compress, like real scans. Used by bench/intake.sh and bench/encryption.sh.

    python3 bench/files.py OUT_DIR

Every employee sends their own scans, so a benchmark must not send the same image twice:
the desk keeps only what draws an image, so bytes added after a PNG's end would be cut
and two filings would store the same file. Each PNG is therefore written so that its
last row of pixels can be changed per request cheaply (bench/intake.lua): all rows but
the last in the first IDAT chunks, then a final IDAT chunk holding the last row as a
stored deflate block and the zlib checksum. Beside `KIND` (a complete PNG) go
`KIND.head` (everything before that final chunk), `KIND.row` (the last row, filter byte
first) and `KIND.adler` (the Adler-32 state before the last row, "a b").
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from letter import pdf  # noqa: E402


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def last_idat(row, adler):
    """The final IDAT chunk: `row` as a final stored deflate block, then the checksum."""
    block = b"\x01" + struct.pack("<HH", len(row), len(row) ^ 0xFFFF) + row
    return chunk(b"IDAT", block + struct.pack(">I", zlib.adler32(row, adler)))


def png(path, width, height):
    rows = [b"\x00" + os.urandom(width) for _ in range(height)]
    before, row = b"".join(rows[:-1]), rows[-1]
    compressor = zlib.compressobj(1)
    # A sync flush ends the data so far on a byte boundary without ending the stream.
    body = compressor.compress(before) + compressor.flush(zlib.Z_SYNC_FLUSH)
    adler = zlib.adler32(before)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
    with open(path, "wb") as out:
        out.write(head + last_idat(row, adler) + chunk(b"IEND", b""))
    for suffix, content in ((".head", head), (".row", row),
                            (".adler", b"%d %d" % (adler & 0xFFFF, adler >> 16))):
        with open(path + suffix, "wb") as out:
            out.write(content)


def main(out):
    os.makedirs(out)
    png(os.path.join(out, "ktp_scan"), 448, 290)
    png(os.path.join(out, "signature_scan"), 448, 290)
    png(os.path.join(out, "hris_status_screenshot"), 640, 360)
    with open(os.path.join(out, "recommendation_letter"), "wb") as letter:
        letter.write(pdf(os.urandom(150_000)))


if __name__ == "__main__":
    main(sys.argv[1])
