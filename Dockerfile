# syntax=docker/dockerfile:1
# certdesk: one binary for the API (`serve`) and the email worker (`worker`).

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies in a layer of their own: the manifests and the lock file, with stub
# sources, built once. A change to our code starts from the next step and rebuilds only
# the workspace's own crates.
COPY Cargo.toml Cargo.lock ./
COPY crates/domain/Cargo.toml crates/domain/
COPY crates/store/Cargo.toml crates/store/
COPY crates/api/Cargo.toml crates/api/
COPY crates/worker/Cargo.toml crates/worker/
COPY migrations/Cargo.toml migrations/
RUN for crate in crates/domain crates/store crates/api crates/worker migrations; do \
      mkdir -p "$crate/src" && : > "$crate/src/lib.rs"; \
    done \
 && mkdir -p src && echo 'fn main() {}' > src/main.rs \
 && cargo build --release --locked --bin certdesk \
 && rm -rf src crates/*/src migrations/src
# Our sources. COPY keeps the files' own times, which can be older than the stub build:
# touching each crate's root makes cargo rebuild them from the real sources.
COPY crates crates
COPY migrations migrations
COPY src src
# `certdesk demo` compiles the synthetic sample officers and RA staff in.
COPY samples/officers.csv samples/staff.csv samples/
RUN touch src/main.rs crates/*/src/lib.rs migrations/src/lib.rs \
 && cargo build --release --locked --bin certdesk \
 && cp target/release/certdesk /usr/local/bin/certdesk

FROM debian:bookworm-slim AS runtime
# CA roots for STARTTLS/TLS to a real relay and for the SSO's JWKS; curl for healthchecks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/certdesk --no-create-home certdesk \
 && install -d -o certdesk -g certdesk -m 0700 \
      /var/lib/certdesk /var/lib/certdesk/blobs /var/lib/certdesk/keys \
      /var/lib/certdesk/data /var/lib/certdesk/outbox
# The directories above exist in the image, owned by the service user, so that a named
# volume mounted on one of them starts with that owner (Docker copies it from the image)
# instead of root's.
COPY --from=build /usr/local/bin/certdesk /usr/local/bin/certdesk
USER certdesk
WORKDIR /var/lib/certdesk
ENV CERTDESK_SERVER__LISTEN=0.0.0.0:8080 \
    CERTDESK_DATABASE__URL=sqlite:///var/lib/certdesk/data/certdesk.db?mode=rwc \
    CERTDESK_STORAGE__PATH=/var/lib/certdesk/blobs \
    CERTDESK_AUTH__LOCAL_KEY_FILE=/var/lib/certdesk/keys/jwt-signing.key \
    CERTDESK_ENCRYPTION__KEY_FILE=/var/lib/certdesk/keys/master.keys \
    CERTDESK_MAIL__OUTBOX_DIR=/var/lib/certdesk/outbox \
    CERTDESK_LOG__FORMAT=json
VOLUME ["/var/lib/certdesk/data", "/var/lib/certdesk/blobs", "/var/lib/certdesk/keys"]
EXPOSE 8080
ENTRYPOINT ["certdesk"]
CMD ["serve"]
