# Build: a full Rust toolchain; run: a slim image with the binary, templates compiled in.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY templates templates
COPY assets assets
COPY examples examples
RUN cargo build --release --locked && strip target/release/billpass

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/billpass --create-home billpass
COPY --from=build /src/target/release/billpass /usr/local/bin/billpass
USER billpass
WORKDIR /var/lib/billpass
ENV BILLPASS_LISTEN=0.0.0.0:8080 \
    BILLPASS_KEYS_DIR=/var/lib/billpass/keys \
    BILLPASS_OUTBOX_DIR=/var/lib/billpass/outbox
EXPOSE 8080
ENTRYPOINT ["billpass"]
CMD ["serve"]
