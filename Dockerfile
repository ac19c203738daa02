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

# The service's own module files: the root go.mod and go.sum pruned to what
# ./app/... builds from (hack/service-mod.sh writes them, app/dockerfile_test.go
# keeps them current). The Pulumi program's dependencies stay out of the build
# context, so bumping them changes neither this layer nor the image.
COPY app/service.mod ./go.mod
COPY app/service.sum ./go.sum
RUN go mod download

COPY app/ ./app/
# The facts the service shares with the program that deploys it.
COPY internal/contract/ ./internal/contract/
ARG VERSION=dev
ARG COMMIT=unknown
# GOPROXY=off proves the layer above downloaded everything the build needs.
# The compiler's cache persists in the engine between builds, so a change
# to the service recompiles only what it touches; it never reaches a layer,
# and -trimpath keeps the binary the same with it or without it.
RUN --mount=type=cache,id=microstack-go-build,target=/var/cache/go-build \
	GOCACHE=/var/cache/go-build GOFLAGS=-mod=readonly GOPROXY=off go build -mod=readonly -trimpath \
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
