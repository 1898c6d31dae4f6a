# Build with the full Rust toolchain; run from a slim image holding the binary alone
# (migrations, templates and the stylesheet are compiled into it) as an unprivileged user.
FROM rust:1-bookworm AS build
WORKDIR /src
# billpass writes its SQL with `sqlx::query` (checked by the tests, not at compile time),
# so building needs no database. SQLX_OFFLINE keeps it so: were `query!` macros added, the
# build would read the `.sqlx/` data that `cargo sqlx prepare` writes instead of a server.
ENV SQLX_OFFLINE=true
COPY Cargo.toml Cargo.lock ./
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
