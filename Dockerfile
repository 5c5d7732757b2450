# The attune binary with the interpreters native actions need.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p attune

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash ca-certificates python3 python3-venv nodejs npm \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/attune /usr/local/bin/attune
COPY packs /opt/attune/packs
ENV ATTUNE_DATA_DIR=/var/lib/attune \
    ATTUNE__PACKS_DIR=/opt/attune/packs \
    ATTUNE__SERVER__LISTEN=0.0.0.0:8080
VOLUME /var/lib/attune
EXPOSE 8080
ENTRYPOINT ["attune"]
CMD ["server"]
