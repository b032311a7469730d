# alegra-sync: the daemon as a container.
#   docker build -t alegra-sync .
#   docker run -e ALEGRA_EMAIL=… -e ALEGRA_TOKEN=… -p 8080:8080 \
#     -v alegra-sync-data:/app/data -v $PWD/sync.config.ts:/app/sync.config.ts:ro alegra-sync

# Stage 1: production dependencies; better-sqlite3 is compiled from source here.
FROM node:26-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Stage 2: the runtime, without compilers. TypeScript runs through tsx, which also
# loads sync.config.ts, so there is no separate build output to drift from the source.
FROM node:26-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json sync.config.ts ./
COPY schema ./schema
COPY connectors ./connectors
COPY src ./src
# The store (./data/alegra-sync.db relative to the config) lives on a volume.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# runMain turns SIGTERM into a graceful shutdown.
ENTRYPOINT ["node", "src/bin.mjs"]
CMD ["run", "--config", "/app/sync.config.ts"]
