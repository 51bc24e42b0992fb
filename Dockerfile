# syntax=docker/dockerfile:1
# One image definition for every service: `docker build --target <gateway|billing-worker|logger|dashboard|migrate> .`
# Stages: base → deps (all deps) → build (tsc) → prod-deps (runtime deps only) → runtime (dist + prod deps) → per-service.
# docker-compose.yml builds each service from this file with its target.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
# tini is PID 1: it forwards SIGTERM to node (graceful shutdown) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*

# Every workspace's package.json, so `npm ci` can resolve the workspace graph from the lockfile alone.
FROM base AS manifests
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/pricing/package.json packages/pricing/
COPY packages/runtime/package.json packages/runtime/
COPY packages/db/package.json packages/db/
COPY packages/cli/package.json packages/cli/
COPY tools/ollama-sim/package.json tools/ollama-sim/
COPY tools/seed/package.json tools/seed/
COPY tools/cloud-stub/package.json tools/cloud-stub/
COPY services/gateway/package.json services/gateway/
COPY services/billing-worker/package.json services/billing-worker/
COPY services/logger/package.json services/logger/
COPY services/dashboard/package.json services/dashboard/

# `npm install --no-save` is the fallback when npm ci refuses a lock file that lacks other platforms' optional packages.
FROM manifests AS deps
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund \
  || npm install --no-audit --no-fund --no-save

FROM deps AS build
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
COPY tools tools
COPY services services
RUN npm run build \
  # Keep only what runs: each workspace's dist/ (package.json comes from the prod-deps stage).
  && mkdir /pruned \
  && for dir in packages/* tools/* services/*; do \
       if [ -d "$dir/dist" ]; then mkdir -p "/pruned/$dir" && cp -r "$dir/dist" "/pruned/$dir/"; fi; \
     done \
  && find /pruned -name '*.tsbuildinfo' -delete

FROM manifests AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
  || npm install --omit=dev --no-audit --no-fund --no-save

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=prod-deps --chown=node:node /app /app
COPY --from=build --chown=node:node /pruned/ /app/
COPY --chown=node:node db db
RUN mkdir -p /app/spool && chown node:node /app /app/spool
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]

# One-shot: creates the database if needed and applies db/init.sql and db/migrations.
FROM runtime AS migrate
CMD ["node", "packages/cli/dist/main.js", "migrate"]

FROM runtime AS gateway
ENV GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8081 SPOOL_DIR=/app/spool
EXPOSE 8081
CMD ["node", "services/gateway/dist/main.js"]

FROM runtime AS billing-worker
ENV BILLING_WORKER_HOST=0.0.0.0 BILLING_WORKER_PORT=8082
EXPOSE 8082
CMD ["node", "services/billing-worker/dist/main.js"]

FROM runtime AS logger
ENV LOGGER_HOST=0.0.0.0 LOGGER_PORT=8083
EXPOSE 8083
CMD ["node", "services/logger/dist/main.js"]

# The dashboard server with the built SPA (dist/web) beside it.
FROM runtime AS dashboard
ENV DASHBOARD_HOST=0.0.0.0 DASHBOARD_PORT=3000
EXPOSE 3000
CMD ["node", "services/dashboard/dist/server/main.js"]
