# syntax=docker/dockerfile:1
# Junction's container image (docs/deploy.md). Three stages: build (compile and pack the npm package), deps (the
# locked production dependencies) and the runtime: node:20-slim with exactly the package's files, run as the
# unprivileged `node` user. nats-server is optional: `--target with-nats-server` adds it for the embedded broker
# (`junction run` without --nats); production points --nats at a NATS cluster instead.
#   docker build -t junction .
#   docker run --rm junction --version
ARG NODE_IMAGE=node:20-slim
ARG NATS_IMAGE=nats:2.10-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# The image holds what `npm pack` would publish, nothing more (package.json `files`).
RUN npm run build \
  && npm pack --ignore-scripts \
  && mkdir /package \
  && tar -xzf junction-*.tgz -C /package --strip-components=1

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NATS_IMAGE} AS nats

FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production
# git: `junction run --repo` mirrors the spec repository (openssh-client for git@ URLs).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /package ./
RUN chmod +x dist/engine/cli/junction.js \
  && ln -s /app/dist/engine/cli/junction.js /usr/local/bin/junction \
  && mkdir /data && chown node:node /data
USER node
# `junction run` keeps its Git mirror (and, embedded, its NATS store) under .junction/ here: mount a volume.
WORKDIR /data
# 8080: webhooks, /healthz, /readyz (on 0.0.0.0); 8081: the operator listener (dashboard, /api, /metrics), which
# binds the container's own loopback unless `junction run --operator-host 0.0.0.0` (with sign-in: docs/deploy.md).
EXPOSE 8080 8081
ENTRYPOINT ["junction"]
CMD ["--help"]

FROM runtime-base AS with-nats-server
COPY --from=nats /usr/local/bin/nats-server /usr/local/bin/nats-server

FROM runtime-base AS runtime
