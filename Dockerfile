# The council worker: the compiled TypeScript (dist/) on Node 20, run as the unprivileged `node` user.
# Built by docker-compose.yml (service council-worker), or by hand: docker build -t council-worker .

# --- build: install every dependency, compile, then drop the dev dependencies ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` (the build) needs the sources, copied below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
# The folders tsconfig.build.json compiles. The worker bundles dist/workflows at start-up, so the
# workflow code must be compiled here along with the worker itself.
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY client ./client
COPY storage ./storage
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and compiled code only ---
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# The worker stops polling on SIGTERM and gives in-flight LLM calls its shutdownGraceTime to finish;
# docker-compose.yml waits longer than that (stop_grace_period) before it kills the container.
STOPSIGNAL SIGTERM
# Source maps turn stack traces into TypeScript file and line numbers.
CMD ["node", "--enable-source-maps", "dist/workers/main.js"]
