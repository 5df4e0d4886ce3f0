# syntax=docker/dockerfile:1
# immoflow-compliance as a container image (docs/operations.md "Container image").
#   docker build -t immoflow-compliance .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=... \
#     -v /etc/immoflow-compliance/token-pepper:/run/secrets/token-pepper:ro \
#     -v /etc/immoflow-compliance/signing.pem:/run/secrets/signing.pem:ro immoflow-compliance
# Linted by hadolint and checked structurally in the tests (BackupAgentTests/ContainerImageTests).

# --- build: the Swift toolchain and the -dev libraries ------------------------------------------
FROM swift:6.3-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev zlib1g-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: they change less often than the sources (layer cache).
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY migrations ./migrations
COPY share ./share
COPY openapi.yaml ./
# The Swift runtime, Foundation and Dispatch linked in: the runtime image needs no toolchain.
RUN swift build -c release --product immoflow-compliance --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/immoflow-compliance" /staging/usr/local/bin/immoflow-compliance \
 && install -d /staging/usr/local/share/immoflow-compliance \
 && cp -r migrations openapi.yaml share/gdpdu /staging/usr/local/share/immoflow-compliance/

# --- runtime: a slim Debian with the C libraries only --------------------------------------------
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libssl3 zlib1g ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/immoflow-compliance --create-home --shell /usr/sbin/nologin immoflow
COPY --from=build /staging/ /
# Paths of the secrets, not secrets: mount the files (docker secrets, a read-only volume) there.
# hadolint ignore=DL3064
ENV IMMOFLOW_TOKEN_PEPPER_FILE=/run/secrets/token-pepper \
    IMMOFLOW_SIGNING_KEY_FILE=/run/secrets/signing.pem \
    IMMOFLOW_EXPORT_DIR=/var/lib/immoflow-compliance/exports
USER 10001:10001
WORKDIR /var/lib/immoflow-compliance
EXPOSE 8080
# Liveness: /health answers 200 while the process serves HTTP (readiness, /health/ready, is the load
# balancer's: a database outage must not restart the container).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["curl", "-fsS", "--max-time", "2", "-o", "/dev/null", "http://127.0.0.1:8080/health"]
# SIGTERM drains (in-flight requests get --drain-timeout, 10 s): give `docker stop -t 15`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/immoflow-compliance"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--drain-timeout", "10"]
