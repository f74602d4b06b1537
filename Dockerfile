# twokey's image. Build:  docker build -t twokey .
#
# Two stages: `build` installs every dependency, compiles better-sqlite3's native addon and the
# TypeScript, then prunes the devDependencies; the run stage gets the pruned node_modules and
# dist/ and nothing else of the build. Because the addon is compiled in the first stage and
# loaded in the second, both must be the same Debian release and the same Node major version.
#
# The bases are arguments so that the image can be built where the official ones cannot be
# pulled: scripts/prove-container.sh builds it on bases made locally. BUILD_BASE needs npm,
# python3, make and g++ (node-gyp), and Node's headers in /usr/local/include/node; the official
# node:20-bookworm has them all.
ARG BUILD_BASE=node:20-bookworm
ARG BASE=node:20-bookworm-slim

FROM ${BUILD_BASE} AS build
WORKDIR /app
# node-gyp takes Node's headers from the image instead of downloading them from nodejs.org.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE}
ENV NODE_ENV=production
WORKDIR /app
# A user of its own with a fixed numeric ID (USER below is numeric so that an orchestrator can
# check runAsNonRoot); /app/data is where the default SQLite database goes.
RUN groupadd --system --gid 10001 twokey \
 && useradd --system --uid 10001 --gid twokey --home-dir /app --no-create-home --shell /usr/sbin/nologin twokey \
 && install -d -o twokey -g twokey /app/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json for the version twokey reports; the example policy for the shell
# (`docker run --rm -it twokey node dist/app/shell.js`).
COPY package.json policy.example.yml ./
USER 10001:10001

# Settings come from the environment (README "Configuration"); the ones a container needs:
#   SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)
#   ALTOSTRAT_API_TOKEN, AITRONOS_API_TOKEN
#   POLICY_FILE   default ./policy.yml, that is /app/policy.yml: mount the policy there, read-only
#   DATABASE_URL  default ./data/twokey.db (mount a volume on /app/data), or postgres://… for
#                 several replicas
#   PORT          3000 in HTTP mode (Slack's POST /slack/events, /healthz, /readyz, /metrics);
#                 in Socket Mode set it to serve the last three
EXPOSE 3000

# The bot is PID 1, started without npm or a shell, so the signals reach it: SIGTERM (and
# SIGINT) drain and stop it, SIGHUP reloads the policy. PID 1 gets no default signal actions
# from the kernel, which is fine because twokey handles each signal it is sent; it starts no
# child processes, so there are no orphans to reap and no init (tini, --init) is needed.
# The drain may last as long as one vendor call with its retries (about 110 s by default):
# give `docker stop -t` or the orchestrator's grace period that much.
STOPSIGNAL SIGTERM
CMD ["node", "dist/index.js"]
