#!/usr/bin/env bash
# The HTTP mode as a team runs it: the container image (packaging/container/Dockerfile) built with podman, 3 replicas
# behind nginx round robin, the Raworc API stand-in, all on 127.0.0.1. Then, with the official TypeScript SDK client
# (StreamableHTTPClientTransport; scripts/fleet/fleet.mjs):
#   job      a whole job through the balancer: space, secret, agent, build, session, message, reply
#   users    2 users with different Raworc tokens make 500 interleaved concurrent calls; the stand-in's request log
#            proves that every API call carried its own caller's token
#   failover one replica is killed mid-load; every call started after that succeeds
#   drain    SIGTERM on a replica with wait_for_build in flight: the call answers still_waiting within 10 s, the
#            same wait called again through the balancer ends with the completed build, the replica exits 0
#   sign-in  3 more replicas with --public-url (the address of their own nginx) and one RAWORC_MCP_OAUTH_KEYS, their
#            own stand-in minting short-lived Raworc tokens; the sign-in page answered by headless chromium
#            (playwright-core; scripts/fleet/signin.mjs): the challenge and metadata before a token, a raw Raworc token
#            refused, a wrong password, Cancel, screenshots (artifacts/fleet/signin-*.png); the TypeScript SDK's own
#            auth() flow doing a whole job, refreshing on another replica, signing in again when the Raworc token
#            expires; mcp-remote signing in and listing tools; the conformance suite's authorization-server
#            scenarios; a 2026-07-28 client (SDK v2) consenting to, or declining, secret values
#   logs     no replica logged an unhandled exception, and no log holds a token (nor a sign-in token or code)
# Where podman cannot run containers (or is missing and cannot be installed), the replicas are the binary run
# directly, and the summary says so. No registry is needed: the image's base is built locally from this machine's
# files (scripts/container-base.sh) and the binary is the published one (artifacts/bin/raworc-mcp, or
# RAWORC_MCP_BINARY). Installs podman, runc, nginx-light and chromium with apt-get when missing (sudo when not root).
# Every process and container it starts is stopped on exit; logs stay in artifacts/fleet/logs.
#   scripts/test-fleet.sh [--no-podman]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step_name=test-fleet step_width=9
. scripts/lib/steps.sh

use_podman=1
for arg in "$@"; do
  case "$arg" in
    --no-podman) use_podman=0 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "test-fleet: unknown option $arg" >&2; exit 2 ;;
  esac
done

binary="${RAWORC_MCP_BINARY:-$root/artifacts/bin/raworc-mcp}"
cache="$root/artifacts/e2e"
logs="$root/artifacts/fleet/logs"
step_timeout="${FLEET_STEP_TIMEOUT:-180}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$binary" ] || { echo "test-fleet: $binary is missing: run ./scripts/build.sh first" >&2; exit 1; }
for tool in node npm dotnet setsid timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test-fleet: '$tool' is not on PATH" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/raworc-fleet.XXXXXX")"
chmod 755 "$work" # nginx workers run as another user when started by root
tag="fleet-$$"
groups=()      # process groups started here (each with setsid)
containers=()  # podman containers started here
images=()      # podman images built here
podman_cmd=(podman --runtime /usr/sbin/runc --cgroup-manager=cgroupfs)

save_container_logs() {
  local c
  for c in ${containers[@]+"${containers[@]}"}; do "${podman_cmd[@]}" logs "$c" >"$logs/$c.log" 2>&1 || true; done
}
cleanup() {
  local pgid c
  save_container_logs
  for c in ${containers[@]+"${containers[@]}"}; do "${podman_cmd[@]}" rm -f -t 2 "$c" >/dev/null 2>&1 || true; done
  for pgid in ${groups[@]+"${groups[@]}"}; do stop_group "$pgid"; done
  for c in ${images[@]+"${images[@]}"}; do "${podman_cmd[@]}" rmi -f "$c" >/dev/null 2>&1 || true; done
  for d in "$work"/nginx*; do # each balancer's logs: nginx-access.log, nginx-signin-access.log, ...
    for c in access error; do [ ! -f "$d/logs/$c.log" ] || cp "$d/logs/$c.log" "$logs/$(basename "$d")-$c.log"; done
  done
  rm -rf "$work" "$root/artifacts/container"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

http_status() { # URL -> the status code, or 000 when nothing answers
  node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>console.log(r.status),()=>console.log("000"))' "$1"
}
wait_status() { # URL STATUS SECONDS
  local i
  for i in $(seq $(( $3 * 5 ))); do
    [ "$(http_status "$1")" = "$2" ] && return 0
    sleep 0.2
  done
  return 1
}

rm -rf "$logs"
mkdir -p "$logs"
replicas_how="not started"

# ---- machine: podman, runc, nginx (Debian packages) -----------------------------------------------------------------
t=$(now_ms)
need=()
# nginx-light where the distribution still has it (Debian 12), else nginx.
nginx_pkg=nginx-light
apt-cache show nginx-light >/dev/null 2>&1 || nginx_pkg=nginx
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=("$nginx_pkg")
[ -x "$chromium" ] || need+=(chromium) # the sign-in stage's headless browser
if [ "$use_podman" = 1 ]; then
  command -v podman >/dev/null 2>&1 || need+=(podman)
  [ -x /usr/sbin/runc ] || need+=(runc)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" != 0 ] && sudo_cmd=(sudo)
  if command -v apt-get >/dev/null 2>&1 \
    && { "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"; } \
      >"$logs/apt-get.log" 2>&1; then
    how="installed ${need[*]}"
  else
    how="could not install ${need[*]} (see $logs/apt-get.log)"
  fi
else
  how="podman, runc, nginx and chromium present"
fi
PATH="$PATH:/usr/sbin"
if ! command -v nginx >/dev/null 2>&1; then
  record machine FAIL "$t" "nginx is missing: $how"
  finish "$replicas_how"
fi
record machine ok "$t" "$how"

# ---- npm clients and the stand-in -----------------------------------------------------------------------------------
t=$(now_ms)
if ! how="$(scripts/e2e/install.sh "$cache" 2>"$logs/npm-ci.log")"; then
  show_log "$logs/npm-ci.log"
  record clients FAIL "$t" "npm ci in $cache failed"
  finish "$replicas_how"
fi
record clients ok "$t" "$how"

start_standin() { # LOG ARGS...: starts the API stand-in with ARGS; prints its URL (nothing if it did not start)
  local log="$1" i
  shift
  setsid scripts/standin.sh --port 0 "$@" >"$log" 2>&1 </dev/null &
  groups+=("$!")
  for i in $(seq 600); do grep -q 'listening on http' "$log" 2>/dev/null && break; sleep 0.2; done
  sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -n1
}
t=$(now_ms)
request_log="$logs/standin-requests.log"
# A build takes 2 x 1.5 s on the stand-in's clock: long enough to be in flight when a replica gets SIGTERM.
api_url="$(start_standin "$logs/standin.log" --build-delay-ms 1500 --session-delay-ms 200 --reply-delay-ms 300 --request-log "$request_log")"
if [ -z "$api_url" ]; then
  show_log "$logs/standin.log"
  record standin FAIL "$t" "scripts/standin.sh did not start"
  finish "$replicas_how"
fi
record standin ok "$t" "$api_url (request log: $request_log)"

# ---- the image ------------------------------------------------------------------------------------------------------
t=$(now_ms)
image=""
podman_problem=""
if [ "$use_podman" = 0 ]; then
  podman_problem="--no-podman given"
elif ! command -v podman >/dev/null 2>&1 || [ ! -x /usr/sbin/runc ]; then
  podman_problem="podman or runc is not installed"
else
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  base="localhost/raworc-mcp-base:$tag"
  image="localhost/raworc-mcp:$tag"
  mkdir -p "artifacts/container/$arch"
  cp "$binary" "artifacts/container/$arch/raworc-mcp"
  if ! PODMAN="${podman_cmd[*]}" scripts/container-base.sh "$base" "$binary" >"$logs/image.log" 2>&1; then
    podman_problem="the local base image could not be built (see $logs/image.log)"
  else
    images+=("$base")
    # --format docker keeps the HEALTHCHECK (OCI images have none); --squash-all leaves no intermediate images
    # behind (podman 4.3's --layers=false fails on the Dockerfile's stage alias).
    if ! "${podman_cmd[@]}" build --pull=never --format docker --squash-all -f packaging/container/Dockerfile \
        --build-arg BASE_IMAGE="$base" --build-arg BINARY_FROM=prebuilt --build-arg TARGETARCH="$arch" \
        --build-arg VERSION="$("$binary" --version | sed 's/^raworc-mcp //')" -t "$image" . >>"$logs/image.log" 2>&1; then
      podman_problem="podman build failed (see $logs/image.log)"
    else
      images+=("$image")
      if ! version="$("${podman_cmd[@]}" run --rm --network=host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
          --entrypoint raworc-mcp "$image" --version 2>>"$logs/image.log")"; then
        podman_problem="podman cannot run a container here (see $logs/image.log)"
      fi
    fi
  fi
fi
if [ -z "$podman_problem" ]; then
  size="$("${podman_cmd[@]}" image inspect "$image" --format '{{.Size}}')"
  record image ok "$t" "$image: $version, $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }') (base built locally from this machine's glibc, libssl and CA files)"
  replicas_how="3 podman containers (runc) behind nginx"
else
  image=""
  echo "test-fleet: NOTE: $podman_problem: the replicas are the binary run directly (no container)."
  summary+=("$(printf '%-9s %-4s %8s  %s' image skip "" "$podman_problem: replicas run the binary directly")")
  replicas_how="3 processes of the binary (no podman) behind nginx"
fi

# ---- 3 replicas -----------------------------------------------------------------------------------------------------
t=$(now_ms)
ports=()
replica_pids=()  # direct mode: the process of each replica
names=()         # podman mode: the container of each replica
# The load steps push one caller far past the default rate limit (20/s); a high limit keeps the limiter in the path.
# Likewise for the requests one caller may have in flight.
replica_env=(RAWORC_API_URL="$api_url" RAWORC_MCP_DRAIN_SECONDS=10 RAWORC_MCP_RATE_LIMIT=5000 RAWORC_MCP_REQUESTS_PER_CALLER=1000)
probe_ports=()   # each replica's own probe port: the replicas share the host's network
start_replica() { # INDEX PORT [VAR=VALUE...]: replica_env, then the extra settings (the later of two wins)
  local index="$1" port="$2" name="raworc-mcp-$tag-$1" e podman_env=()
  shift 2
  probe_ports[$index]="$(free_port)"
  set -- RAWORC_MCP_PROBE_PORT="${probe_ports[$index]}" "$@"
  for e in "${replica_env[@]}" "$@" RAWORC_MCP_PORT="$port"; do podman_env+=(-e "$e"); done
  if [ -n "$image" ]; then
    # Host network, so the container reaches the stand-in and nginx reaches it on 127.0.0.1; --listen-host
    # overrides the image's 0.0.0.0 so that nothing listens beyond this machine.
    "${podman_cmd[@]}" run -d --name "$name" --network=host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
      --no-healthcheck "${podman_env[@]}" "$image" --listen-host 127.0.0.1 >/dev/null 2>>"$logs/replica-$index.log" || return 1
    containers+=("$name")
    names[$index]="$name"
  else
    env HOME="$work" "${replica_env[@]}" "$@" RAWORC_MCP_PORT="$port" setsid "$binary" http --listen-host 127.0.0.1 >"$logs/replica-$index.log" 2>&1 </dev/null &
    groups+=("$!")
    replica_pids[$index]="$!"
  fi
}
ok=1
for i in 1 2 3; do
  ports[$i]="$(free_port)"
  start_replica "$i" "${ports[$i]}" || { ok=0; break; }
done
for i in 1 2 3; do
  [ "$ok" = 1 ] || break
  wait_status "http://127.0.0.1:${ports[$i]}/readyz" 200 30 || { ok=0; show_log "$logs/replica-$i.log"; }
  [ "$ok" = 1 ] || break
  wait_status "http://127.0.0.1:${probe_ports[$i]}/healthz" 200 10 || { ok=0; show_log "$logs/replica-$i.log"; }
done
if [ "$ok" != 1 ]; then
  record replicas FAIL "$t" "a replica did not become ready on /readyz (logs in $logs)"
  finish "$replicas_how"
fi
health=""
if [ -n "$image" ]; then
  # The image's HEALTHCHECK command, run inside a replica.
  if "${podman_cmd[@]}" exec "${names[1]}" raworc-mcp healthcheck --port "${ports[1]}" >"$logs/healthcheck.log" 2>&1; then
    health="; HEALTHCHECK command (raworc-mcp healthcheck) passes in the container"
  else
    record replicas FAIL "$t" "raworc-mcp healthcheck failed inside the container (see $logs/healthcheck.log)"
  fi
fi
record replicas ok "$t" "ports ${ports[*]} (probes also on ${probe_ports[1]} ${probe_ports[2]} ${probe_ports[3]}): /healthz and /readyz answer 200$health"

# ---- nginx ----------------------------------------------------------------------------------------------------------
t=$(now_ms)
start_nginx() { # DIR LISTEN_PORT UPSTREAM_PORT...: round robin on 127.0.0.1:LISTEN_PORT (scripts/fleet/nginx.sh)
  scripts/fleet/nginx.sh "$@"
  setsid nginx -p "$1" -c "$1/nginx.conf" -g 'daemon off;' >"$logs/$(basename "$1").log" 2>&1 </dev/null &
  groups+=("$!")
}
lb_port="$(free_port)"
start_nginx "$work/nginx" "$lb_port" "${ports[1]}" "${ports[2]}" "${ports[3]}"
if ! wait_status "http://127.0.0.1:$lb_port/healthz" 200 20; then
  show_log "$logs/nginx.log"
  record nginx FAIL "$t" "nginx did not answer on 127.0.0.1:$lb_port"
  finish "$replicas_how"
fi
record nginx ok "$t" "round robin on 127.0.0.1:$lb_port over ${ports[*]}"
mcp_url="http://127.0.0.1:$lb_port/mcp"
fleet() { timeout "$step_timeout" node scripts/fleet/fleet.mjs "$@" --api-url "$api_url" --sdk-dir "$cache"; }
upstreams_of() { grep -E "^POST /mcp " "$work/nginx/logs/access.log" | sed -n 's/.*upstream=//p' | tr ', ' '\n\n' | grep -c . || true; }

# ---- a whole job through the balancer -------------------------------------------------------------------------------
t=$(now_ms)
if fleet job --url "$mcp_url" >"$logs/job.log" 2>&1; then
  spread="$(grep -E '^POST /mcp 200 ' "$work/nginx/logs/access.log" | sed -n 's/.*upstream=//p' | sort | uniq -c | awk '{printf "%s%s: %d", (NR>1?", ":""), $2, $1}')"
  record job ok "$t" "$(sed -n 's/^fleet job: OK: //p' "$logs/job.log"); POSTs per replica: $spread"
  [ "$(grep -E '^POST /mcp 200 ' "$work/nginx/logs/access.log" | sed -n 's/.*upstream=//p' | sort -u | wc -l)" = 3 ] \
    || record job FAIL "$t" "nginx did not spread the job over the 3 replicas: $spread"
else
  show_log "$logs/job.log"
  record job FAIL "$t" "see $logs/job.log"
fi

# ---- 2 users, 500 interleaved concurrent calls ----------------------------------------------------------------------
t=$(now_ms)
if fleet users --url "$mcp_url" --calls 500 --concurrency 32 --request-log "$request_log" >"$logs/users.log" 2>&1; then
  record users ok "$t" "$(sed -n 's/^fleet users: OK: //p' "$logs/users.log")"
else
  show_log "$logs/users.log"
  record users FAIL "$t" "see $logs/users.log"
fi

# ---- failover: replica 3 killed mid-load ----------------------------------------------------------------------------
t=$(now_ms)
if [ -n "$image" ]; then kill3="${podman_cmd[*]} kill --signal KILL ${names[3]} >/dev/null"
else kill3="kill -KILL -- -${replica_pids[3]}"; fi
# The kill returns once the signal is sent; "after" means once the replica's port refuses connections (at most 2 s),
# since until then the kernel may still take a connection for the dying process.
kill3="$kill3; for i in \$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${ports[3]}) 2>/dev/null || break; sleep 0.02; done"
if fleet load --url "$mcp_url" --calls 400 --concurrency 16 --midway-after 100 --midway-cmd "$kill3" >"$logs/failover.log" 2>&1; then
  noticed="$(grep -c "127.0.0.1:${ports[3]}" "$work/nginx/logs/error.log" || true)"
  record failover ok "$t" "$(sed -n 's/^fleet load: OK: //p' "$logs/failover.log"); nginx logged $noticed failures of the killed replica"
else
  show_log "$logs/failover.log"
  record failover FAIL "$t" "see $logs/failover.log"
fi

# ---- drain: SIGTERM with wait_for_build in flight, on replica 1 directly --------------------------------------------
t=$(now_ms)
# The signal command also watches /readyz for up to 2 s: it should turn 503 (or stop answering) once draining.
if [ -n "$image" ]; then term1="${podman_cmd[*]} kill --signal TERM ${names[1]} >/dev/null"
else term1="kill -TERM ${replica_pids[1]}"; fi
readyz_probe="for i in \$(seq 20); do s=\$(node -e 'fetch(process.argv[1]).then(r=>console.log(r.status),()=>console.log(\"000\"))' http://127.0.0.1:${ports[1]}/readyz); [ \"\$s\" != 200 ] && { echo \"\$s\" >$work/readyz; break; }; sleep 0.1; done"
if fleet drain --url "http://127.0.0.1:${ports[1]}/mcp" --again-url "$mcp_url" --signal-cmd "$term1 && $readyz_probe" >"$logs/drain.log" 2>&1; then
  if [ -n "$image" ]; then code="$(timeout 30 "${podman_cmd[@]}" wait "${names[1]}" 2>/dev/null || echo '?')"
  else code=0; timeout 30 bash -c "while kill -0 ${replica_pids[1]} 2>/dev/null; do sleep 0.1; done" || code='still running'
    wait "${replica_pids[1]}" 2>/dev/null || code=$?; fi
  readyz="$(cat "$work/readyz" 2>/dev/null || echo 200)"
  case "$readyz" in 503) seen="/readyz answered 503 while draining" ;; 000) seen="/readyz stopped answering while draining" ;; *) seen="/readyz stayed 200 for 2 s after SIGTERM" ;; esac
  if [ "$code" = 0 ]; then record drain ok "$t" "$(sed -n 's/^fleet drain: OK: //p' "$logs/drain.log"); $seen; exit code 0"
  else record drain FAIL "$t" "the call finished, but the replica's exit code is $code"; fi
else
  show_log "$logs/drain.log"
  record drain FAIL "$t" "see $logs/drain.log"
fi

# ---- sign-in: 3 replicas with --public-url and one key ring behind their own nginx ---------------------------------
# Their own stand-in mints Raworc tokens that last $raworc_seconds s; access tokens last $access_seconds s. The job
# finishes well inside the Raworc token's life, the access token expires first (a refresh, on another replica), then
# the Raworc token (the refresh gets invalid_grant and the client signs in again).
t=$(now_ms)
raworc_seconds=45
access_seconds=10
signin_lb="$(free_port)" # chosen first: the replicas' public URL names it
public_url="http://127.0.0.1:$signin_lb"
oauth_keys="$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
signin_ok=1
signin_ports=()
if ! signin_api="$(start_standin "$logs/standin-signin.log" --build-delay-ms 300 --session-delay-ms 100 --reply-delay-ms 100 \
    --token-lifetime-seconds "$raworc_seconds")" || [ -z "$signin_api" ]; then
  show_log "$logs/standin-signin.log"
  record signin FAIL "$t" "the sign-in stage's stand-in did not start"
  signin_ok=0
else
  for i in 4 5 6; do
    signin_ports+=("$(free_port)")
    start_replica "$i" "${signin_ports[-1]}" RAWORC_API_URL="$signin_api" RAWORC_MCP_PUBLIC_URL="$public_url" \
      RAWORC_MCP_OAUTH_KEYS="$oauth_keys" RAWORC_MCP_ACCESS_TOKEN_SECONDS="$access_seconds" RAWORC_MCP_RATE_LIMIT=50 || signin_ok=0
  done
  for port in "${signin_ports[@]}"; do
    [ "$signin_ok" = 1 ] && wait_status "http://127.0.0.1:$port/readyz" 200 30 || signin_ok=0
  done
  [ "$signin_ok" = 1 ] && start_nginx "$work/nginx-signin" "$signin_lb" "${signin_ports[@]}" \
    && wait_status "$public_url/healthz" 200 20 || signin_ok=0
  if [ "$signin_ok" = 1 ]; then
    record signin ok "$t" "replicas ${signin_ports[*]} (--public-url $public_url, one RAWORC_MCP_OAUTH_KEYS, access tokens ${access_seconds} s) behind nginx; stand-in tokens last ${raworc_seconds} s"
  else
    for i in 4 5 6; do [ ! -f "$logs/replica-$i.log" ] || show_log "$logs/replica-$i.log" 10; done
    record signin FAIL "$t" "the sign-in replicas or their nginx did not become ready (logs in $logs)"
  fi
fi
signin() { # STEP MODE ARGS...: one signin.mjs mode, with Node 22 from the pinned install; records the step
  local step="$1" mode="$2" t
  shift 2
  t=$(now_ms)
  if PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM="$chromium" timeout "$step_timeout" "$cache/node_modules/.bin/node" scripts/fleet/signin.mjs \
      "$mode" --url "$public_url/mcp" --sdk-dir "$cache" "$@" >"$logs/signin-$mode.log" 2>&1; then
    record "$step" ok "$t" "$(sed -n "s/^signin $mode: OK: //p" "$logs/signin-$mode.log")"
  else
    show_log "$logs/signin-$mode.log"
    record "$step" FAIL "$t" "see $logs/signin-$mode.log"
  fi
}
if [ "$signin_ok" = 1 ]; then
  mkdir -p artifacts/fleet
  signin si-checks checks --api-url "$signin_api" --shots artifacts/fleet
  signin si-job job --api-url "$signin_api" --raworc-token-seconds "$raworc_seconds" --secrets-file "$work/signin-secrets" \
    --replicas "$(printf 'http://127.0.0.1:%s,' "${signin_ports[@]}")"
  signin si-remote mcp-remote
  signin si-conf conformance --output artifacts/fleet/conformance-authorization --baseline scripts/e2e/conformance-authorization-baseline.yml
  signin si-mrtr consent --api-url "$signin_api"
fi

# ---- the replicas' own logs: no unhandled exception, no token ------------------------------------------------------
t=$(now_ms)
save_container_logs
replica_logs=("$logs"/replica-*.log) # the binary's output; in containers, podman's log of each
if [ -n "$image" ]; then replica_logs=(); for c in "${containers[@]}"; do replica_logs+=("$logs/$c.log"); done; fi
if grep -l "threw an unhandled exception\|Unhandled exception" "${replica_logs[@]}" >"$work/unhandled" 2>/dev/null; then
  record logs FAIL "$t" "unhandled exceptions in $(paste -sd' ' "$work/unhandled")"
elif grep -qE 'eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}' "$logs"/*.log "$work"/nginx*/logs/*.log 2>/dev/null; then
  record logs FAIL "$t" "a Raworc token appears in a log"
elif [ -s "$work/signin-secrets" ] && grep -qF -f "$work/signin-secrets" "$logs"/*.log "$work"/nginx*/logs/*.log 2>/dev/null; then
  record logs FAIL "$t" "an access token, refresh token or authorization code of the sign-in stage appears in a log"
else
  record logs ok "$t" "$(cat "${replica_logs[@]}" | grep -c ' POST /mcp ') MCP requests logged by the replicas: no unhandled exception; no token in any log"
fi

finish "$replicas_how"
