# One image for the web app, the worker and the migration runner (docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npx -y pnpm@10.34.9 install --frozen-lockfile \
 && node apps/web/node_modules/next/dist/bin/next build apps/web

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app /app
RUN useradd --system --uid 10001 facet && mkdir -p /data && chown facet /data
USER facet
EXPOSE 3000
ENV PORT=3000 FACET_HOST=0.0.0.0
# Next.js behind Facet's own server (forwarding headers trusted only with FACET_TRUSTED_PROXIES set)
CMD ["node", "--import", "tsx", "apps/web/server/main.ts"]
