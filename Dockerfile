# alegra-sync: the daemon as a container.
#   docker build -t alegra-sync .
#   docker run -e ALEGRA_EMAIL=… -e ALEGRA_TOKEN=… -p 8080:8080 \
#     -v alegra-sync-data:/app/data -v $PWD/sync.config.ts:/app/sync.config.ts:ro alegra-sync

# Stage 1: build. Every dependency (better-sqlite3 is compiled from source here; npm ci
# also bundles, through the package's prepare script, so the sources come first), then
# `npm run build` (type check, then the esbuild bundle in dist/), then the dev
# dependencies are dropped so that only what the runtime needs is copied on.
FROM node:26-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json sync.config.ts ./
COPY schema ./schema
COPY connectors ./connectors
COPY src ./src
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# Stage 2: the runtime, without compilers or sources: the bundle, the production
# dependencies it keeps external (better-sqlite3's binding; tsx, which loads
# sync.config.ts; the SDKs of connectors that are off by default) and the entry point.
FROM node:26-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json sync.config.ts ./
COPY src/bin.mjs ./src/bin.mjs
# The store (./data/alegra-sync.db relative to the config) lives on a volume.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# /health answers 503 when the daemon cannot work (Alegra rejects the credentials, the store is unreadable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# runMain turns SIGTERM into a graceful shutdown.
ENTRYPOINT ["node", "src/bin.mjs"]
CMD ["run", "--config", "/app/sync.config.ts"]
