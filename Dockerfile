# The attune binary (with the web UI in it), its sandbox helper and the interpreters native actions need. Attune
# runs as the unprivileged user `attune`: native actions are confined in user namespaces
# of its own, which the container must allow (see docker-compose.yaml, security_opt).
FROM node:20-bookworm AS web
WORKDIR /src
COPY web web
COPY scripts/build-web.sh scripts/
RUN scripts/build-web.sh

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The web UI, built above, is compiled into the binary.
COPY --from=web /src/web/dist web/dist
RUN cargo build --release -p attune -p attune-runtime-native --bins

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash ca-certificates python3 python3-venv nodejs npm \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/attune --shell /usr/sbin/nologin attune
COPY --from=build /src/target/release/attune /src/target/release/attune-sandbox /usr/local/bin/
COPY packs /opt/attune/packs
ENV ATTUNE_DATA_DIR=/var/lib/attune \
    ATTUNE__PACKS_DIR=/opt/attune/packs \
    ATTUNE__SERVER__LISTEN=0.0.0.0:8080
USER attune
VOLUME /var/lib/attune
EXPOSE 8080
ENTRYPOINT ["attune"]
CMD ["server"]
