#!/usr/bin/env bash
# braid-client's commands and exit codes, against braidd on 127.0.0.1 with
# every port 0 (the ready file says which ports it got).
#   braid_client_test.sh BRAID_CLIENT BRAIDD
set -euo pipefail
client=$1
braidd=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/braid-client-test.XXXXXX")
pid=""
pid2=""
cleanup() {
  for p in $pid $pid2; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected [$2], got [$3]"
    failures=$((failures + 1))
  fi
}
status() {  # status COMMAND...: prints the exit status
  local s=0
  "$@" >/dev/null 2>&1 || s=$?
  echo "$s"
}

cat >"$work/braidd.json" <<'JSON'
{
  "log": {"level": "warn"},
  "services": [
    {"name": "echo",     "protocol": "echo",  "listen": "tcp:0:interface=127.0.0.1"},
    {"name": "upper",    "protocol": "upper", "listen": "tcp:0:interface=127.0.0.1"},
    {"name": "echo-udp", "protocol": "echo",  "listen": "udp:0:interface=127.0.0.1"},
    {"name": "beacon",   "protocol": "udp_broadcast", "listen": "udp:0:interface=0.0.0.0",
     "options": {"broadcast": ["127.255.255.255:9"], "interval_ms": 3600000, "reply": "beacon here"}},
    {"name": "shared-beacon", "protocol": "udp_broadcast", "listen": "udp:0:interface=0.0.0.0:reuse=yes",
     "options": {"reply": "first beacon"}}
  ]
}
JSON
# Starts braidd CONFIG READY_FILE in the background (pid in $started) and waits,
# bounded, for its "ready:" log line, read from a FIFO: no polling, no sleeping.
start_braidd() {
  local fifo="$work/log.$RANDOM"
  mkfifo "$fifo"
  "$braidd" --config "$1" --ready-file "$2" --log-level info 2>"$fifo" &
  started=$!
  exec {log_fd}<"$fifo"
  local line
  while IFS= read -r -t 10 line <&"$log_fd"; do
    echo "$line" >>"$work/braidd.log"
    [[ "$line" == *"ready: "* ]] && { cat <&"$log_fd" >>"$work/braidd.log" & return 0; }
  done
  echo "braidd did not get ready"; cat "$work/braidd.log"; exit 1
}
start_braidd "$work/braidd.json" "$work/ready.json"
pid=$started
port_of() { sed -n "s/.*\"$1\": *\"[a-z0-9]*:[^\"]*:\([0-9]*\)\".*/\1/p" "${2:-$work/ready.json}"; }
echo_port=$(port_of echo)
upper_port=$(port_of upper)
udp_port=$(port_of echo-udp)
beacon_port=$(port_of beacon)
shared_port=$(port_of shared-beacon)

# tcp: stdin lines out, replies in; EOF ends the session.
check "tcp echo" $'hello\nworld' "$(printf 'hello\nworld\n' | "$client" tcp "127.0.0.1:$echo_port")"
check "tcp upper" "SHOUT" "$(printf 'shout\n' | "$client" tcp "127.0.0.1:$upper_port")"
check "tcp last line without newline" "abc" "$(printf 'abc' | "$client" tcp "127.0.0.1:$echo_port")"
check "tcp q quits" "one" "$(printf 'one\nq\nnever\n' | "$client" tcp "127.0.0.1:$echo_port" | head -1)"
check "tcp empty stdin" "0" "$(status "$client" tcp "127.0.0.1:$echo_port" </dev/null)"
check "tcp ipv4 in brackets" "x" "$(printf 'x\n' | "$client" tcp "[127.0.0.1]:$echo_port")"
closed_port=$udp_port  # a UDP port: nobody listens on TCP there
check "tcp refused exits 1" "1" "$(status "$client" tcp "127.0.0.1:$closed_port" </dev/null)"

# udp: one datagram, its reply; a timeout exits 1.
check "udp echo" "ping" "$("$client" udp "127.0.0.1:$udp_port" ping --timeout 5000)"
check "udp localhost" "ping" "$("$client" udp "localhost:$udp_port" ping --timeout 5000)"
check "udp timeout exits 1" "1" "$(status "$client" udp "127.0.0.1:$echo_port" ping --timeout 100)"

# discover: the beacon answers the broadcast probe.
out=$("$client" discover "$beacon_port" --timeout 500)
check "discover lists the responder" "127.0.0.1:$beacon_port  beacon here" "$out"
# Two braidd processes sharing one beacon port (reuse=yes): discover lists both.
cat >"$work/second.json" <<JSON
{"log": {"level": "info"}, "services": [
  {"name": "beacon-2", "protocol": "udp_broadcast", "listen": "udp:$shared_port:interface=0.0.0.0:reuse=yes",
   "options": {"reply": "second beacon"}}]}
JSON
start_braidd "$work/second.json" "$work/ready2.json"
pid2=$started
out=$("$client" discover "$shared_port" --timeout 500 | sort)
check "discover lists two braidd processes" "$(printf '127.0.0.1:%s  first beacon\n127.0.0.1:%s  second beacon' "$shared_port" "$shared_port")" "$out"
kill "$pid2"; wait "$pid2" 2>/dev/null || true
check "discover with no responder exits 1" "1" "$(status "$client" discover 9 --timeout 100)"

# lookup and service.
check "lookup localhost" "0" "$(status "$client" lookup localhost)"
check "lookup localhost has 127.0.0.1" "yes" "$("$client" lookup localhost | grep -qx '127.0.0.1' && echo yes)"
check "lookup without a name prints the host name first" "$(hostname)" "$("$client" lookup | head -1)"
check "lookup of an unknown name exits 1" "1" "$(status "$client" lookup name.invalid)"
check "service name to port" "80" "$("$client" service http)"
check "service port to name" "http" "$("$client" service 80)"
check "service udp-only name" "69" "$("$client" service tftp)"
check "unknown service exits 1" "1" "$(status "$client" service no-such-service)"

# usage errors exit 2.
check "no subcommand" "2" "$(status "$client")"
check "bad target" "2" "$(status "$client" tcp nohost)"
check "bad port" "2" "$(status "$client" udp 127.0.0.1:99999 x)"
check "ipv6 without brackets" "2" "$(status "$client" tcp ::1:7)"
check "bad discover address" "2" "$(status "$client" discover 7 --to not-an-ip)"
check "unknown option" "2" "$(status "$client" udp 127.0.0.1:7 x --bogus)"
check "help" "0" "$(status "$client" --help)"

kill -TERM "$pid"
s=0
wait "$pid" || s=$?
pid=""
check "braidd stopped cleanly" "0" "$s"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all braid-client checks passed"
