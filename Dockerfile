# The tollgate release image: the static binary and the CA bundle, nothing
# else (no shell, no package manager), so the Action starts in about a second.
#
# The build context is prepared by scripts/build-image.sh: base images are not
# pulled, the binary is built with CGO_ENABLED=0 outside, and the CA bundle is
# copied from the build host. Build it with that script, not directly.
FROM scratch

ARG VERSION=dev
ARG REVISION=unknown

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY tollgate /usr/local/bin/tollgate

ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

LABEL org.opencontainers.image.title="tollgate" \
      org.opencontainers.image.description="Guards pull requests against supply-chain attacks: malicious, vulnerable and typosquatted packages, tampered lockfiles, dependency confusion, repojacked GitHub dependencies, leaked secrets." \
      org.opencontainers.image.source="https://github.com/tollgate-dev/tollgate" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# No USER: GitHub runs Docker actions as the image's default user and mounts
# the workspace owned by the runner; it documents that actions must run as
# root to write there (the SARIF file, GITHUB_OUTPUT, the job summary).
ENTRYPOINT ["/usr/local/bin/tollgate"]
