# Builds the microstack service image.
#
#   docker build --build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse HEAD) -t microstack .
#
# Both base images can be replaced, e.g. to pull them through a mirror.
ARG BUILDER_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
# A static binary runs on the distroless base, and GOTOOLCHAIN=local keeps
# the go command from fetching another toolchain behind the image's back.
ENV CGO_ENABLED=0 GOTOOLCHAIN=local

COPY go.mod go.sum ./
# The module also holds the Pulumi program, whose dependency graph the
# service never imports. Only the modules that ./app/... builds from are
# downloaded, which keeps this layer small and cached until go.mod changes.
# The list is what
#   go list -deps -f '{{with .Module}}{{.Path}}{{end}}' ./app/... | sort -u
# reports, less the main module; app/dockerfile_test.go keeps it in sync.
RUN go mod download \
	github.com/beorn7/perks \
	github.com/cespare/xxhash/v2 \
	github.com/munnerz/goautoneg \
	github.com/prometheus/client_golang \
	github.com/prometheus/client_model \
	github.com/prometheus/common \
	github.com/prometheus/procfs \
	golang.org/x/sys \
	google.golang.org/protobuf

COPY app/ ./app/
# The facts the service shares with the program that deploys it.
COPY internal/contract/ ./internal/contract/
ARG VERSION=dev
ARG COMMIT=unknown
# GOPROXY=off proves the layer above downloaded everything the build needs.
RUN GOFLAGS=-mod=readonly GOPROXY=off go build -mod=readonly -trimpath \
	-ldflags "-s -w \
	-X github.com/microstack/microstack/app/internal/buildinfo.Version=${VERSION} \
	-X github.com/microstack/microstack/app/internal/buildinfo.Commit=${COMMIT}" \
	-o /out/microstack ./app

FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="microstack" \
	org.opencontainers.image.description="microstack HTTP service" \
	org.opencontainers.image.source="https://github.com/microstack/microstack" \
	org.opencontainers.image.version="${VERSION}" \
	org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /out/microstack /microstack
# The numeric form lets the kubelet verify runAsNonRoot without /etc/passwd.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/microstack"]
