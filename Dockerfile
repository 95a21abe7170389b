# Multi-stage: compile with dev dependencies, ship only production ones, run as a non-root user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY console ./console
COPY mappings ./mappings
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 HOST=0.0.0.0 PORT=8080 STATE_PATH=/data/feeder.db SQLITE_PATH=/data/index.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY mappings ./mappings
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# The first rebuild of a large catalog can take many minutes: /healthz is 503 until a run finishes,
# so failures in the start period do not count.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15m CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--max-semi-space-size=16", "--max-old-space-size=1024", "dist/cli/main.js"]
CMD ["serve"]
