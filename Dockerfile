# One image, two programs: the command picks `/app/Producer` (default) or `/app/Consumer`.
#
# Build and runtime stages must use the same Debian release, because the binaries link the
# system's hiredis and MariaDB client by soname. Any release with hiredis 0.14 or 1.x builds
# (hiredis only encodes and parses; TLS is swift-nio-ssl's, compiled in); trixie is the default
# for its newer MariaDB client.
#
#   SWIFT_IMAGE    an image whose /usr holds a Swift toolchain for Linux x86_64 (only the
#                  toolchain is copied out of it, so a Debian 12 toolchain serves a trixie build)
#   BUILDER_IMAGE  the Debian trixie image the build stage runs on
#   RUNTIME_IMAGE  the slim image the programs run on (same release as BUILDER_IMAGE)
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG BUILDER_IMAGE=debian:trixie
ARG RUNTIME_IMAGE=debian:trixie-slim

FROM ${SWIFT_IMAGE} AS swift-toolchain

FROM ${BUILDER_IMAGE} AS build
# The toolchain's own needs (sqlite, ncurses, libxml2, libcurl, zlib, libstdc++/libgcc for
# linking, git for SwiftPM) plus the -dev packages of the C libraries the programs wrap.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      binutils ca-certificates git pkg-config tzdata \
      libc6-dev libgcc-14-dev libstdc++-14-dev libsqlite3-0 libncurses6 libxml2 libuuid1 zlib1g-dev \
      libhiredis-dev libmariadb-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY --from=swift-toolchain /usr /opt/swift/usr
# An official Swift image's /usr is a whole Debian 12 system: drop its libraries and headers so
# the compiler links against trixie's and nothing else (a bare toolchain has none of these).
RUN rm -rf /opt/swift/usr/lib/x86_64-linux-gnu /opt/swift/usr/lib/gcc /opt/swift/usr/include/x86_64-linux-gnu
# Appended, not prepended: an official image's /usr/bin also holds Debian 12's git and friends,
# and the build must use trixie's. The swift driver finds its own clang and lld beside itself.
ENV PATH=$PATH:/opt/swift/usr/bin

WORKDIR /src
# Manifest first, so dependency resolution stays cached while only sources change.
COPY Package.swift ./
RUN swift package resolve
# Tests/ too: SwiftPM checks that every target in the manifest has its sources.
COPY Sources ./Sources
COPY Tests ./Tests
COPY bench/WriteBenchmark ./bench/WriteBenchmark
# --static-swift-stdlib: the runtime image needs no Swift libraries, only the C ones below.
RUN swift build -c release --static-swift-stdlib \
 && mkdir -p /out \
 && for program in Producer Consumer; do \
      install -m 0755 "$(swift build -c release --show-bin-path)/$program" /out/; \
      strip /out/"$program"; \
    done

FROM ${RUNTIME_IMAGE} AS runtime
# MySQL 8 and later (RDS MySQL too) create users with caching_sha2_password, which libmariadb
# speaks only through its plugin of that name: the build fails if libmariadb3 ever stops shipping it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libhiredis1.1.0 libmariadb3 libcurl4t64 \
 && rm -rf /var/lib/apt/lists/* \
 && test -f /usr/lib/x86_64-linux-gnu/libmariadb3/plugin/caching_sha2_password.so
# Amazon's RDS CA bundle, which DB_TLS_CA_FILE names in the task definitions (DB_TLS=true checks
# the database's certificate against it). RDS_CA_BUNDLE is a URL, or a path in the build context
# for machines that cannot reach the URL (scripts/test-containers.sh passes a test certificate).
# A downloaded file arrives with mode 0600, and the classic builder has no ADD --chmod: the RUN
# makes it readable by user 10001 and refuses anything that is not a PEM certificate.
ARG RDS_CA_BUNDLE=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
ADD ${RDS_CA_BUNDLE} /etc/ssl/certs/rds-global-bundle.pem
RUN chmod 0644 /etc/ssl/certs/rds-global-bundle.pem \
 && grep -q -e '-----BEGIN CERTIFICATE-----' /etc/ssl/certs/rds-global-bundle.pem
COPY --from=build /out/ /app/
COPY frontend/ /app/frontend/
# Numeric user so Kubernetes/ECS `runAsNonRoot`-style checks can verify it without /etc/passwd.
USER 10001:10001
WORKDIR /app
ENV LOG_FORMAT=json \
    HTTP_HOST=0.0.0.0
# 5080 the Producer's public port, 5082 its operations port (/metrics, /ready), 5081 the Consumer's.
EXPOSE 5080 5081 5082
# The Producer's own probe (libcurl GET of /health on its operations port); the Consumer service overrides it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["/app/Producer", "healthcheck"]
CMD ["/app/Producer"]
