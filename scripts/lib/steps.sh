# Shared by the test scripts that run steps against real processes (test-e2e.sh, test-fleet.sh): process groups,
# free ports, and one summary line per step. Source it after setting step_name (the prefix of every line) and
# step_width (the width of the step-name column).

now_ms() { date +%s%3N; }

# stop_group PGID: TERM the process group started with setsid, KILL it after 5 s.
stop_group() {
  local pgid="$1" i
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

summary=()
failed=0
# record NAME STATUS START_MS DETAIL
record() {
  local line ms=$(( $(now_ms) - $3 ))
  line="$(printf "%-${step_width}s %-4s %4d.%d s  %s" "$1" "$2" "$(( ms / 1000 ))" "$(( ms % 1000 / 100 ))" "$4")"
  summary+=("$line")
  echo "$step_name: $line"
  [ "$2" = ok ] || failed=1
}

# finish [HOW]: prints the summary and exits 1 when a step failed (its logs are in $logs).
finish() {
  local line
  echo
  echo "$step_name summary${1:+ ($1)}:"
  for line in "${summary[@]}"; do echo "  $line"; done
  if [ "$failed" != 0 ]; then echo "$step_name: FAILED (logs in $logs)" >&2; exit 1; fi
  echo "$step_name: all steps passed"
  exit 0
}

show_log() { echo "---- last lines of $1 ----" >&2; tail -n "${2:-40}" "$1" >&2 || true; echo "----" >&2; }

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
