# syntax=docker/dockerfile:1
# rt-billing-cds, multi-stage: `build` compiles the server and the reviewer app; `deps` installs production
# dependencies only (npm ci --omit=dev, with the tools the native SQLite binding needs); the runtime stage has
# neither compilers nor dev dependencies and runs as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY stubs ./stubs
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY cds-services ./cds-services
COPY bench ./bench
COPY smart-app ./smart-app
# `npm run build` is scripts/build.mjs; it reads the shipped payer policies once (dist/policies-read.json).
COPY scripts ./scripts
COPY policies ./policies
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY stubs ./stubs
# --ignore-scripts: the project's own `prepare` (a build) is not needed here; the native binding is built explicitly.
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 FEEDBACK_DB_PATH=/data/feedback.sqlite
WORKDIR /app
RUN groupadd --system rtb && useradd --system --gid rtb --home /app rtb && mkdir -p /data && chown rtb:rtb /data
COPY --chown=rtb:rtb package.json ./
COPY --from=deps --chown=rtb:rtb /app/node_modules ./node_modules
COPY --from=build --chown=rtb:rtb /app/dist ./dist
COPY --chown=rtb:rtb fixtures ./fixtures
COPY --chown=rtb:rtb policies ./policies
USER rtb
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/server.js"]
