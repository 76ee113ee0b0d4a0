# Chronos API + worker image. Runs against your own Postgres, chain RPC and bundler, sponsoring with
# Chronos's own paymaster contract (PAYMASTER_SIGNER_KEY + PAYMASTER_ADDRESS) or a hosted ERC-7677 one
# (PAYMASTER_URL); the embedded local stack is for development and is not in this image.
#
#   docker build -t chronos .
#   docker run --env-file .env -p 3000:3000 chronos            # API + worker
#   docker run --env-file .env chronos api | worker            # one role per container
#   (a worker serves /healthz, /readyz and /metrics on METRICS_PORT, default 9464)

# Node 24 LTS: graphile-worker needs Node >= 22.18 and kysely >= 22 (package.json "engines").

# --- build: compile TypeScript with the full dependency set -------------------------------------
FROM node:24-trixie-slim AS build
WORKDIR /app
# sdk/package.json: the lock file lists the SDK workspace, and npm ci refuses a lock that does not match.
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
# Exactly the locked versions; no install scripts (tsc needs none, and the image's npm would otherwise
# run every dependency's scripts, including downloads and swagger-ui-dist's telemetry ping).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- production dependencies only ---------------------------------------------------------------
FROM node:24-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime -------------------------------------------------------------------------------------
FROM node:24-trixie-slim
# V8's young generation grows to 2 × 16 MB by default and the old generation fills with what it promotes
# between full collections; 4 MB semi-spaces keep a busy process's peak RSS below 200 MB, for more
# frequent (short) young-generation collections (README, "Memory"). Replace NODE_OPTIONS to tune it.
ENV NODE_ENV=production PORT=3000 NODE_OPTIONS="--max-semi-space-size=4"
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json openapi.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node migrations ./migrations
COPY --chown=node:node contracts ./contracts
USER node
# 3000: the API (start, api), with /healthz, /readyz, /metrics and /docs. 9464: a worker's probes and metrics.
EXPOSE 3000 9464
# Liveness of whichever role runs: the API port, or a worker's METRICS_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "Promise.any([process.env.PORT||3000,process.env.METRICS_PORT||9464].map(p=>fetch('http://127.0.0.1:'+p+'/healthz').then(r=>{if(!r.ok)throw r.status}))).then(()=>process.exit(0),()=>process.exit(1))"
# SIGTERM drains in-flight requests and jobs (within SHUTDOWN_GRACE_MS, 25 s), then exits 0. Docker's
# default stop timeout is 10 s: use `docker stop -t 30` (compose: stop_grace_period: 30s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/chronos.js"]
CMD ["start"]
