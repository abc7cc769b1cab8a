# syntax=docker/dockerfile:1
# The cosched gRPC server, and (same image, another command) its queue workers.
#   docker build -t cosched .
#   docker run --rm -p 50051:50051 cosched
#   docker run --rm -e COSCHED_QUEUE=redis://redis:6379 cosched node bin/cosched.js worker
# deploy/docker-compose.yml and deploy/kubernetes.yaml run a server, workers, Redis and PostgreSQL.
# test/docker-start-command.test.ts runs this file's CMD and HEALTHCHECK outside Docker.

# Build: `npm ci` installs every dependency and runs `prepare` (buf generate, buf build of the
# reflection descriptor set, tsc into dist/). `npm prune --omit=dev` then drops the dev
# dependencies (buf, tsc, ts-proto, vitest...), so node_modules can be copied as it is. Prune
# needs --ignore-scripts: the package links itself ("cosched": "file:."), and prune would run
# that link's `prepare` again, after it has removed buf and tsc.
FROM node:20-slim AS build
# better-sqlite3 (the embedded store) is a native addon: when no prebuilt binary matches, npm
# builds it with node-gyp, which needs python3, make and a C++ compiler.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci && npm prune --omit=dev --ignore-scripts

# Runtime: the compiled server (dist/, with src/generated and cosched.binpb in it), its
# production node_modules, the two entry points in bin/, package.json (ES modules, the version)
# and the bundled scenarios. Files stay owned by root: the server only reads them.
FROM node:20-slim
ENV NODE_ENV=production \
    COSCHED_HOST=0.0.0.0 \
    COSCHED_PORT=50051 \
    COSCHED_DATA_DIR=/var/lib/cosched
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/scenarios ./scenarios
# The standing planner's embedded SQLite store (unless COSCHED_STORE points at PostgreSQL).
RUN mkdir -p /var/lib/cosched && chown node:node /var/lib/cosched
VOLUME /var/lib/cosched
USER node
EXPOSE 50051
# grpc.health.v1 Check on COSCHED_HOST/COSCHED_PORT (a wildcard host is asked on loopback).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "bin/cosched-healthcheck.js"]
# The server turns NOT_SERVING on SIGTERM, lets calls in flight finish, and exits 0.
CMD ["node", "bin/cosched.js", "serve"]
