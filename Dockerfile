# syntax=docker/dockerfile:1
# certdesk: one binary for the API (`serve`) and the email worker (`worker`).

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first, so that a change to our code does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY migrations migrations
COPY src src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin certdesk \
 && cp target/release/certdesk /usr/local/bin/certdesk

FROM debian:bookworm-slim AS runtime
# CA roots for STARTTLS/TLS to a real relay and for the SSO's JWKS; curl for healthchecks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/certdesk --create-home certdesk
COPY --from=build /usr/local/bin/certdesk /usr/local/bin/certdesk
USER certdesk
WORKDIR /var/lib/certdesk
ENV CERTDESK_SERVER__LISTEN=0.0.0.0:8080 \
    CERTDESK_STORAGE__PATH=/var/lib/certdesk/blobs \
    CERTDESK_LOG__FORMAT=json
EXPOSE 8080
ENTRYPOINT ["certdesk"]
CMD ["serve"]
