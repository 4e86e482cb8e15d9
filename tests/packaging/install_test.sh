#!/usr/bin/env bash
# package.install: the .debs build from this build tree and install with dpkg
# into a scratch root, where braidd runs and the package's promises hold.
#
#   install_test.sh BUILD_DIR
#
# 1. cpack makes braid and braid-dev into a scratch directory (its own staging
#    too, so it never races a `--target package` in the same tree), and their
#    control data is checked.
# 2. The scratch root: in a private mount namespace (unshare --mount), an
#    overlay with / as its lower layer and a tmpfs as its upper layer, entered
#    with chroot. dpkg writes only to the tmpfs, which vanishes with the
#    namespace; the real system is untouched (checked at the end).
#    The namespace has its own network too (unshare --net).
# 3. Inside: dpkg -i, then braidd --version and --check of /etc/braid/braidd.json,
#    that config served by braidd run as the unit runs it (user braid,
#    CAP_NET_BIND_SERVICE only),
#    the conffile registered, the user braid, the units (systemd-analyze verify
#    on the installed paths), man pages, schema, find_package(Braid) against
#    braid-dev, a reinstall over the existing user and a modified conffile,
#    remove and purge; and between the two, systemd booted in that root
#    (systemd-nspawn) starts braidd.service, which must run as braid with
#    CAP_NET_BIND_SERVICE alone under its sandbox, serve, reload, refuse a
#    broken config's reload and stop with status 0. Where systemd does not
#    boot in nspawn, that part is left out with a NOTE.
# Exit 77 (CTest: skipped) when not root or when this kernel or container
# allows no mount namespace or overlay.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok: $*"; }
contains() { [[ "$1" == *"$2"* ]]; }

# Stage 3: inside the scratch root. $1: the version the packages carry.
in_root() {
  local version=$1 debs=/var/tmp/braid-debs
  export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
  # A machine that has braid installed for real lends it to the lower layer:
  # take it out of the scratch root first, so the install starts from nothing.
  dpkg --purge braid-dev braid >/dev/null 2>&1 || true
  if getent passwd braid >/dev/null; then deluser --quiet --system braid >/dev/null; fi
  if getent group braid >/dev/null; then delgroup --quiet --system braid >/dev/null; fi
  getent passwd braid >/dev/null && fail "the scratch root still has a user braid before the install"
  # man-db would rebuild its index on every install; not what is tested here.
  rm -f /var/lib/man-db/auto-update

  dpkg -i "$debs"/braid_"$version"_*.deb "$debs"/braid-dev_"$version"_*.deb >/var/tmp/dpkg.log 2>&1 ||
    { cat /var/tmp/dpkg.log; fail "dpkg -i failed"; }
  [[ $(dpkg-query -W -f='${Status}' braid) == "install ok installed" ]] || fail "braid is not installed"
  [[ $(dpkg-query -W -f='${Status}' braid-dev) == "install ok installed" ]] || fail "braid-dev is not installed"
  ok "dpkg -i braid braid-dev"

  [[ $(command -v braidd) == /usr/bin/braidd ]] || fail "braidd is not /usr/bin/braidd"
  [[ $(braidd --version) == "braidd $version" ]] || fail "braidd --version: $(braidd --version)"
  ok "braidd --version: braidd $version"
  local check
  check=$(braidd --check --config /etc/braid/braidd.json) || fail "braidd --check failed: $check"
  contains "$check" "/etc/braid/braidd.json: OK (" || fail "braidd --check said: $check"
  ok "braidd --check --config /etc/braid/braidd.json: $check"
  [[ $(braid-client service http) == 80 ]] || fail "braid-client service http (netbase's /etc/services)"
  ok "braid-client service http: 80"

  local conffiles sum
  conffiles=$(dpkg-query -W -f='${Conffiles}' braid)
  sum=$(md5sum </etc/braid/braidd.json | cut -d' ' -f1)
  contains "$conffiles" "/etc/braid/braidd.json $sum" || fail "conffiles: '$conffiles' (md5 $sum)"
  contains "$conffiles" "/etc/logrotate.d/braidd " || fail "conffiles: '$conffiles' lacks /etc/logrotate.d/braidd"
  ok "conffile registered:$conffiles"

  local entry uid
  entry=$(grep '^braid:' /etc/passwd) || fail "no user braid in /etc/passwd"
  IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
  ((uid < 1000)) || fail "braid is not a system user: $entry"
  [[ $home == /nonexistent && $shell == /usr/sbin/nologin ]] || fail "braid: $entry"
  grep -q '^braid:' /etc/group || fail "no group braid"
  [[ $(id -gn braid) == braid ]] || fail "braid's group: $(id -gn braid)"
  ok "user: $entry"

  local unit output
  for unit in braidd.service braidd.socket; do
    [[ -f /lib/systemd/system/$unit ]] || fail "/lib/systemd/system/$unit is missing"
  done
  output=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify /lib/systemd/system/braidd.service \
             /lib/systemd/system/braidd.socket 2>&1) || fail "systemd-analyze verify: $output"
  [[ -z $output ]] || fail "systemd-analyze verify says: $output"
  ok "units installed and verified in place"

  [[ $(man -w braidd) == /usr/share/man/man8/braidd.8.gz ]] || fail "man -w braidd: $(man -w braidd)"
  [[ $(man -w braid-client) == /usr/share/man/man1/braid-client.1.gz ]] || fail "no braid-client(1)"
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' /usr/share/braid/braid.schema.json ||
    fail "no valid /usr/share/braid/braid.schema.json"
  ok "man pages, schema"

  run_as_the_unit_does
  ok "the shipped config serves as user braid with CAP_NET_BIND_SERVICE alone: $(cat /var/tmp/served)"

  # braid-dev: a project finds the package and its targets (configure only).
  mkdir -p /var/tmp/consumer
  cat >/var/tmp/consumer/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.22)
project(consumer CXX)
find_package(Braid REQUIRED)
get_target_property(lib braid::framework LOCATION)
message(STATUS "braid::framework: ${lib}; braidd: ${Braid_BRAIDD}")
EOF
  output=$(cmake -S /var/tmp/consumer -B /var/tmp/consumer/build 2>&1) || fail "find_package(Braid): $output"
  contains "$output" "braid::framework: /usr/lib/libbraid.so.0.1; braidd: /usr/bin/braidd" ||
    contains "$output" "braid::framework: /usr/lib/libbraid.so.$version; braidd: /usr/bin/braidd" ||
    fail "find_package(Braid) found: $(grep braid:: <<<"$output")"
  ok "find_package(Braid): $(grep -o 'braid::framework: .*' <<<"$output")"
}

# Stage 3, after the systemd stage: reinstall, remove, purge.
in_root_again() {
  local version=$1 debs=/var/tmp/braid-debs
  export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
  # Again over the existing user and a changed conffile: both survive.
  echo ' ' >>/etc/braid/braidd.json
  dpkg -i "$debs"/braid_"$version"_*.deb >/var/tmp/dpkg.log 2>&1 || { cat /var/tmp/dpkg.log; fail "reinstall failed"; }
  [[ $(tail -c 2 /etc/braid/braidd.json) == ' ' ]] || fail "the reinstall overwrote the changed conffile"
  [[ $(grep -c '^braid:' /etc/passwd) == 1 ]] || fail "the reinstall added a second braid"
  ok "reinstall keeps the user and the changed conffile"

  dpkg --remove braid-dev braid >/var/tmp/dpkg.log 2>&1 || { cat /var/tmp/dpkg.log; fail "dpkg --remove failed"; }
  [[ ! -e /usr/bin/braidd && ! -e /lib/systemd/system/braidd.service ]] || fail "remove left files behind"
  [[ -f /etc/braid/braidd.json ]] || fail "remove deleted the conffile (only purge may)"
  dpkg --purge braid >/var/tmp/dpkg.log 2>&1 || { cat /var/tmp/dpkg.log; fail "dpkg --purge failed"; }
  [[ ! -e /etc/braid/braidd.json ]] || fail "purge left /etc/braid/braidd.json"
  local status
  status=$(dpkg-query -W -f='${Status}' braid 2>/dev/null || true)
  [[ -z $status || $status == *" not-installed" ]] || fail "after purge, braid's status is '$status'"
  getent passwd braid >/dev/null || fail "purge removed the user braid (Debian keeps system users)"
  ok "remove keeps the conffile, purge removes it, the user stays"
}

# braidd with the installed config, as braidd.service starts it: user and group
# braid, CAP_NET_BIND_SERVICE alone (ambient), no new privileges, /run/braid
# made for it. The namespace has a network of its own, so the config's fixed
# ports 7 and 13 are free and reach nobody else.
run_as_the_unit_does() {
  local ready=/run/braid/ready.json pid status reply daytime
  ip link set lo up
  install -d -o braid -g braid -m 0755 /run/braid
  setpriv --reuid=braid --regid=braid --init-groups --inh-caps=-all,+net_bind_service \
    --ambient-caps=+net_bind_service --bounding-set=-all,+net_bind_service --no-new-privs \
    braidd --config /etc/braid/braidd.json --ready-file "$ready" >/var/tmp/braidd.log 2>&1 &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    [[ -f $ready ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -f $ready ]] || { cat /var/tmp/braidd.log; fail "braidd did not get ready as user braid"; }
  [[ $(awk '/^Uid:/ {print $2}' "/proc/$pid/status") == $(id -u braid) ]] || fail "braidd does not run as braid"
  [[ $(awk '/^CapEff:/ {print $2}' "/proc/$pid/status") == 0000000000000400 ]] ||
    fail "braidd's effective capabilities: $(grep ^Cap "/proc/$pid/status")"
  reply=$(printf 'over port 7\n' | braid-client tcp 127.0.0.1:7) || fail "echo on port 7: $reply"
  [[ $reply == "over port 7" ]] || fail "echo on port 7 answered '$reply'"
  reply=$(braid-client tcp 127.0.0.1:13 </dev/null) || fail "daytime on port 13: $reply"
  [[ $reply =~ ^[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\  ]] || fail "daytime on port 13 answered '$reply'"
  daytime=$reply
  [[ $(stat -c '%A %U %G' /run/braid/echo.sock) == "srw-rw---- braid braid" ]] ||
    fail "/run/braid/echo.sock: $(stat -c '%A %U %G' /run/braid/echo.sock)"
  reply=$(python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1]); s.sendall(b"over unix\n")
print(s.recv(100).decode().strip())' /run/braid/echo.sock) || fail "echo on /run/braid/echo.sock: $reply"
  [[ $reply == "over unix" ]] || fail "echo on /run/braid/echo.sock answered '$reply'"
  kill -TERM "$pid"
  status=0
  wait "$pid" || status=$?
  [[ $status == 0 ]] || { cat /var/tmp/braidd.log; fail "braidd exited $status on SIGTERM"; }
  [[ ! -e $ready ]] || fail "the ready file outlived braidd"
  echo "echo on 127.0.0.1:7, daytime on 127.0.0.1:13 ($daytime), echo on /run/braid/echo.sock" >/var/tmp/served
}

# Inside systemd-nspawn, as the oneshot braid-probe.service of a booted
# systemd: braidd.service started, inspected, used, reloaded and stopped by
# systemd itself. The verdict goes to /var/tmp/probe.verdict; the container
# powers off when this ends, however it ends.
in_systemd() {
  exec >/var/tmp/probe.out 2>&1
  : >/var/tmp/probe.started
  trap 'systemctl poweroff --no-block' EXIT
  export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
  local pid reply
  timeout 100 systemctl start braidd || fail "systemctl start braidd: $(systemctl status braidd --no-pager)"
  # Type=notify returns once braidd is ready; Type=simple (the drop-in) as soon
  # as systemd forked, so wait for braidd's own word.
  for ((i = 0; i < 300; i++)); do
    journalctl -u braidd -o cat | grep -q '^.*ready: [0-9]* services running' && break
    sleep 0.1
  done
  journalctl -u braidd -o cat | grep -q '^.*ready: [0-9]* services running' ||
    fail "braidd never got ready: $(journalctl -u braidd -o cat | tail -5)"
  [[ $(systemctl is-active braidd) == active ]] || fail "braidd.service is $(systemctl is-active braidd)"
  pid=$(systemctl show -p MainPID --value braidd)
  grep -E '^(Uid|Gid|Groups|Cap|NoNewPrivs|Seccomp):' "/proc/$pid/status"
  [[ $(awk '/^Uid:/ {print $2}' "/proc/$pid/status") == $(id -u braid) ]] || fail "braidd does not run as braid"
  [[ $(awk '/^CapEff:/ {print $2}' "/proc/$pid/status") == 0000000000000400 ]] || fail "braidd's capabilities"
  [[ $(awk '/^NoNewPrivs:/ {print $2}' "/proc/$pid/status") == 1 ]] || fail "NoNewPrivs is off"
  [[ $(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status") == 2 ]] || fail "no system call filter"
  reply=$(printf 'hello\n' | braid-client tcp 127.0.0.1:7)
  [[ $reply == hello ]] || fail "echo on port 7 answered '$reply'"
  reply=$(braid-client tcp 127.0.0.1:13 </dev/null)
  [[ $reply =~ ^[A-Z][a-z]{2}\  ]] || fail "daytime on port 13 answered '$reply'"
  [[ $(stat -c '%A %U' /run/braid/echo.sock /var/log/braid) == $'srw-rw---- braid\ndrwxr-x--- braid' ]] ||
    fail "/run/braid/echo.sock, /var/log/braid: $(stat -c '%A %U %n' /run/braid/echo.sock /var/log/braid)"

  timeout 60 systemctl reload braidd || fail "systemctl reload braidd failed"
  [[ $(systemctl is-active braidd) == active ]] || fail "braidd is not active after a reload"
  [[ $(systemctl show -p MainPID --value braidd) == "$pid" ]] || fail "the reload restarted braidd"
  cp /etc/braid/braidd.json /var/tmp/braidd.json.good
  echo '{"services": [' >/etc/braid/braidd.json
  timeout 60 systemctl reload braidd && fail "systemctl reload accepted a broken config"
  [[ $(systemctl show -p MainPID --value braidd) == "$pid" ]] || fail "a broken config's reload touched braidd"
  cp /var/tmp/braidd.json.good /etc/braid/braidd.json
  reply=$(printf 'again\n' | braid-client tcp 127.0.0.1:7)
  [[ $reply == again ]] || fail "echo after the reloads answered '$reply'"

  timeout 60 systemctl stop braidd
  [[ $(systemctl show -p Result --value braidd) == success ]] || fail "stop: $(systemctl show -p Result braidd)"
  [[ $(systemctl show -p ExecMainStatus --value braidd) == 0 ]] ||
    fail "braidd exited $(systemctl show -p ExecMainStatus --value braidd)"
  journalctl -u braidd --no-pager -o cat
  echo ok >/var/tmp/probe.verdict
}

# Stage 2b: boot systemd in the scratch root (systemd-nspawn) and run in_systemd.
# Until braidd speaks sd_notify (it needs libsystemd or sends NOTIFY_SOCKET
# messages itself), the unit runs with a drop-in making it Type=simple without
# a watchdog, said aloud; everything else is the unit as shipped.
under_systemd() {
  local root=$1 layers=$2 log=$1/../nspawn.log
  command -v systemd-nspawn >/dev/null || fail "systemd-nspawn not found (systemd-container; tools/install-deps)"
  if ! grep -qa NOTIFY_SOCKET "$root/usr/bin/braidd" "$root"/usr/lib/libbraid.so.* &&
     ! readelf -d "$root/usr/bin/braidd" "$root"/usr/lib/libbraid.so.* 2>/dev/null | grep -q 'NEEDED.*libsystemd'; then
    echo "note: this braidd does not speak sd_notify yet: braidd.service runs as Type=simple without WatchdogSec here"
    mkdir -p "$root/etc/systemd/system/braidd.service.d"
    printf '[Service]\nType=simple\nWatchdogSec=0\n' >"$root/etc/systemd/system/braidd.service.d/test-no-notify.conf"
  fi
  if readelf -d "$root/usr/bin/braidd" | grep -q 'NEEDED.*libasan'; then
    # LeakSanitizer stops the threads with ptrace, which SystemCallFilter=@system-service
    # forbids: every braidd run (ExecReload's --check too) would end with its fatal error.
    echo "note: an AddressSanitizer build: braidd.service runs with ASAN_OPTIONS=detect_leaks=0 here"
    mkdir -p "$root/etc/systemd/system/braidd.service.d"
    printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0:abort_on_error=1\n' \
      >"$root/etc/systemd/system/braidd.service.d/test-asan.conf"
  fi
  printf '%s\n' '[Unit]' 'Description=package.install: braidd.service under systemd' 'After=multi-user.target' \
    '[Service]' 'Type=oneshot' 'ExecStart=/bin/bash /var/tmp/install_test.sh --in-systemd' \
    >"$root/etc/systemd/system/braid-probe.service"
  ln -s /etc/systemd/system/braid-probe.service "$root/etc/systemd/system/multi-user.target.wants/braid-probe.service"
  timeout --kill-after=10 300 systemd-nspawn --quiet --directory="$root" --private-network --register=no \
    --keep-unit --link-journal=no --boot >"$log" 2>&1 || true
  if [[ ! -e $layers/upper/var/tmp/probe.started ]]; then
    echo "NOTE: systemd did not boot in systemd-nspawn here, so braidd.service was not run under systemd:"
    tail -5 "$log"
    return
  fi
  [[ $(cat "$layers/upper/var/tmp/probe.verdict" 2>/dev/null) == ok ]] ||
    { cat "$layers/upper/var/tmp/probe.out"; tail -20 "$log"; fail "braidd.service under systemd"; }
  ok "braidd.service under systemd (nspawn): started as braid with CAP_NET_BIND_SERVICE and a system call filter; served; reloaded; a broken config's reload refused; stopped with status 0"
  rm -f "$root/etc/systemd/system/multi-user.target.wants/braid-probe.service"
}

# Stage 2: in the private mount namespace. $1: work directory, $2: version.
in_namespace() {
  local work=$1 version=$2 root=$1/root layers=$1/layers
  mkdir -p "$layers" "$root"
  mount -t tmpfs -o size=2g braid-scratch "$layers"
  mkdir -p "$layers/upper" "$layers/work"
  mount -t overlay braid-scratch -o "lowerdir=/,upperdir=$layers/upper,workdir=$layers/work" "$root" ||
    skip "this kernel refuses an overlay of / on tmpfs"
  mount --rbind /dev "$root/dev"
  mount --rbind /proc "$root/proc"
  mkdir -p "$root/var/tmp/braid-debs"
  cp "$work"/out/*.deb "$root/var/tmp/braid-debs/"
  cp "$0" "$root/var/tmp/install_test.sh"
  chroot "$root" /bin/bash /var/tmp/install_test.sh --in-root "$version"
  umount -R "$root/dev" "$root/proc"
  under_systemd "$root" "$layers"
  mount --rbind /dev "$root/dev"
  mount --rbind /proc "$root/proc"
  chroot "$root" /bin/bash /var/tmp/install_test.sh --in-root-again "$version"
}

if [[ ${1:-} == --in-root ]]; then in_root "$2"; exit 0; fi
if [[ ${1:-} == --in-root-again ]]; then in_root_again "$2"; exit 0; fi
if [[ ${1:-} == --in-systemd ]]; then in_systemd; exit 0; fi
if [[ ${1:-} == --in-namespace ]]; then in_namespace "$2" "$3"; exit 0; fi

# Stage 1.
[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
[[ $(id -u) -eq 0 ]] || skip "needs root (dpkg -i into a scratch root, mount)"
for tool in cpack dpkg-deb unshare chroot setpriv ip; do
  command -v "$tool" >/dev/null || fail "$tool not found (tools/install-deps)"
done
unshare --mount --net true 2>/dev/null ||
  skip "no mount and network namespace allowed here (a container without CAP_SYS_ADMIN?)"

work=$(mktemp -d "${TMPDIR:-/tmp}/braid-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
passwd_before=$(md5sum </etc/passwd)
had_braidd=no
[[ -e /usr/bin/braidd ]] && had_braidd=yes

# gzip: quicker than xz for a test, and the contents are the same.
cpack --config "$build/CPackConfig.cmake" -B "$work/out" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed (is the build tree built?)"; }
shopt -s nullglob
runtime=("$work"/out/braid_*.deb)
dev=("$work"/out/braid-dev_*.deb)
[[ ${#runtime[@]} -eq 1 && ${#dev[@]} -eq 1 ]] || fail "cpack made $(ls "$work/out")"
version=$(dpkg-deb -f "${runtime[0]}" Version)
ok "cpack: $(basename "${runtime[0]}") $(basename "${dev[0]}")"

depends=$(dpkg-deb -f "${runtime[0]}" Depends)
for dep in netbase adduser "libc6 (" "libstdc++6 ("; do
  contains "$depends" "$dep" || fail "braid's Depends lacks $dep: $depends"
done
contains "$(dpkg-deb -f "${dev[0]}" Depends)" "braid (= $version)" || fail "braid-dev does not depend on braid (= $version)"
ok "Depends: $depends"
[[ $(dpkg-deb --ctrl-tarfile "${runtime[0]}" | tar -xO ./conffiles) == $'/etc/braid/braidd.json\n/etc/logrotate.d/braidd' ]] ||
  fail "braid's conffiles are not exactly /etc/braid/braidd.json and /etc/logrotate.d/braidd"
files=$(dpkg-deb -c "${runtime[0]}" | awk '{print $6}')
for f in ./usr/bin/braidd ./usr/bin/braid-client ./usr/lib/libbraid.so.0.1 ./etc/braid/braidd.json ./etc/logrotate.d/braidd \
         ./lib/systemd/system/braidd.service ./lib/systemd/system/braidd.socket ./usr/share/braid/braid.schema.json \
         ./usr/share/man/man8/braidd.8.gz ./usr/share/man/man1/braid-client.1.gz ./usr/share/doc/braid/operating.md; do
  grep -qxF "$f" <<<"$files" || fail "braid lacks $f"
done
grep -q '^\./usr/include/' <<<"$files" && fail "braid holds headers"
files=$(dpkg-deb -c "${dev[0]}" | awk '{print $6}')
for f in ./usr/include/braid/braid.hpp ./usr/lib/cmake/Braid/BraidConfig.cmake ./usr/lib/libbraid.so; do
  grep -qxF "$f" <<<"$files" || fail "braid-dev lacks $f"
done
ok "contents of braid and braid-dev"

unshare --mount --net --propagation private "$0" --in-namespace "$work" "$version"

[[ $(md5sum </etc/passwd) == "$passwd_before" ]] || fail "the real /etc/passwd changed"
[[ $had_braidd == yes || ! -e /usr/bin/braidd ]] || fail "braidd appeared in the real /usr/bin"
ok "the real system is untouched"
