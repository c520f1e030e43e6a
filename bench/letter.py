"""A synthetic letter for the benchmarks: a one-page PDF the desk's reader opens.

The desk reads every PDF it is sent, so a `%PDF-` signature over noise would be refused;
this one has a correct cross-reference table and carries `noise` as its content stream,
so its size is whatever the benchmark needs. Imported by bench/intake.sh and
bench/upload-memory.sh.
"""


def pdf(noise):
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(noise) + noise + b"\nendstream"]
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
