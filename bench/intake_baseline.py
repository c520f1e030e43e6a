"""The baseline for bench/intake.sh: what this machine does writing the same rows to
PostgreSQL and the same files, fsynced, directly, with the same concurrency, and no
HTTP, parsing or checking at all.

Each ticket: four files written under random names and fsynced (and their directory),
then one transaction inserting the ticket, four stored-file rows, four attachment rows, a
history row and an event. The files are written as they come: the baseline is what the
disk allows, so it neither checks nor seals them.
"""
import os, statistics, sys, threading, time, uuid

import psycopg

dsn, files_dir, out_dir, clients, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
kinds = ["ktp_scan", "signature_scan", "recommendation_letter", "hris_status_screenshot"]
contents = {k: open(os.path.join(files_dir, k), "rb").read() for k in kinds}
latencies, lock = [], threading.Lock()
stop_at = time.monotonic() + seconds


def worker(worker_id):
    conn = psycopg.connect(dsn, autocommit=False)
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        started = time.monotonic()
        blobs = []
        for kind in kinds:
            data = contents[kind] + f"\n%{worker_id}-{n}".encode()
            name = str(uuid.uuid4())
            folder = os.path.join(out_dir, name[:2])
            os.makedirs(folder, exist_ok=True)
            fd = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, data)
            os.fsync(fd)
            os.close(fd)
            dfd = os.open(folder, os.O_RDONLY)
            os.fsync(dfd)
            os.close(dfd)
            blobs.append((kind, name, len(data)))
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO tickets (service, subtype, status, requester_nip, requester_name, requester_email,"
                " requester_unit, requester_position, responsible_officer_nip, description, created_at, updated_at,"
                " queue, version, open_slot) VALUES ('15.2', 'renewal', 'submitted', %s, 'Andi Contoh',"
                " 'andi.contoh@kemenkeu.go.id', 'Sekretariat Jenderal', 'Pranata Komputer', '197501012000031002',"
                " %s, now(), now(), 'general', 1, %s) RETURNING id",
                ("199005172015031001", f"baseline {worker_id}-{n}", f"baseline/{worker_id}/{n}"),
            )
            ticket_id = cur.fetchone()[0]
            for kind, name, size in blobs:
                cur.execute(
                    "INSERT INTO stored_files (id, content_type, byte_size, width, height, created_at)"
                    " VALUES (%s, 'image/png', %s, 448, 290, now())",
                    (name, size),
                )
                cur.execute(
                    "INSERT INTO ticket_attachments (ticket_id, kind, file_id, created_at) VALUES (%s, %s, %s, now())",
                    (ticket_id, kind, name),
                )
            cur.execute(
                "INSERT INTO ticket_history (ticket_id, at, actor_nip, actor_role, kind, to_status, visibility)"
                " VALUES (%s, now(), 'token:bench', 'integrator', 'created', 'submitted', 'public')",
                (ticket_id,),
            )
            cur.execute(
                "INSERT INTO ticket_events (id, ticket_id, kind, payload, created_at)"
                " VALUES (%s, %s, 'ticket_received', '{}', now())",
                (uuid.uuid4(), ticket_id),
            )
        conn.commit()
        with lock:
            latencies.append((time.monotonic() - started) * 1000)
    conn.close()


threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
latencies.sort()
print(f"baseline_tickets_per_s={len(latencies) / seconds:.1f}")
print(f"baseline_p50_ms={statistics.median(latencies):.1f}")
print(f"baseline_p99_ms={latencies[int(len(latencies) * 0.99) - 1]:.1f}")
