# syntax=docker/dockerfile:1

# Build stage: a static binary of ./cmd/govreply.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/govreply ./cmd/govreply

# Final stage: alpine for busybox wget (the healthcheck), running as a non-root user.
FROM alpine:3.22
RUN adduser -D -H -u 10001 govreply
COPY --from=build /out/govreply /govreply
USER govreply
ENV GOVREPLY_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/govreply", "serve"]
