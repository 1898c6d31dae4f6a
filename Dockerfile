# Build with the full Rust toolchain; run from a slim image holding the binary alone
# (migrations, templates and the stylesheet are compiled into it) as an unprivileged user.
FROM rust:1-bookworm AS build
WORKDIR /src
# SQL is checked at compile time against the statements' descriptions in `.sqlx/` (written
# by `cargo sqlx prepare`), so building needs no database.
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
COPY .sqlx .sqlx
COPY src src
COPY benches benches
COPY migrations migrations
COPY templates templates
COPY assets assets
COPY examples examples
RUN cargo build --release --locked && strip target/release/billpass

FROM debian:bookworm-slim
# The keys and outbox directories exist in the image, owned by billpass, so that volumes
# mounted there start out writable by it.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 billpass \
    && useradd --system --uid 10001 --gid billpass --home-dir /var/lib/billpass --create-home billpass \
    && install -d -o billpass -g billpass /var/lib/billpass/keys /var/lib/billpass/outbox
COPY --from=build /src/target/release/billpass /usr/local/bin/billpass
USER 10001:10001
WORKDIR /var/lib/billpass
ENV BILLPASS_LISTEN=0.0.0.0:8080 \
    BILLPASS_KEYS_DIR=/var/lib/billpass/keys \
    BILLPASS_OUTBOX_DIR=/var/lib/billpass/outbox
EXPOSE 8080
ENTRYPOINT ["billpass"]
CMD ["serve"]
