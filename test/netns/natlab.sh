#!/usr/bin/env bash
# Internet rooms across NATs, in network namespaces. A helper H stands on a
# small "internet" (a bridge, IPv6 3fff::/20, which go-libp2p counts as
# public); two homes A and B each sit behind a router of their own that
# masquerades (nftables). A knows H; A's invite link brings B in through
# H's relay; then, per lab:
#   cone       B is a newcomer that knows nothing but the link (started
#              with no --bootstrap, as a desktop user's first join), and
#              the two homes punch a hole: Members shows via "holepunched",
#              a conversation goes on over it (long enough to span the
#              node moving room traffic off the relay), and when H stops;
#   symmetric  the ports differ per destination, no hole: via "relayed";
#              when H is killed (SIGKILL: nothing tells the homes) each
#              shows the other offline and a message sent then is
#              "stored"; when H comes back they arrive and the chat
#              recovers; then B restarts and rejoins by itself, through
#              the relay.
#   locked     B is an office whose router lets out only new TCP
#              connections to port 443 (web traffic): no UDP, no other
#              port. H also serves a secure WebSocket on 443, with a
#              certificate from a test CA that B trusts (SSL_CERT_FILE).
#              B, a newcomer, joins A's room through H over wss; 100
#              messages go each way, each arriving once; B's Status says
#              "restricted", A's does not.
#   proxy      as locked, but rB lets nothing out at all: B's only way
#              is an HTTP CONNECT proxy with a password (tinyproxy, on
#              rB, allowing only port 443), given to B as HTTPS_PROXY.
#              The same checks, and the password shows nowhere in B's
#              log or Status.
# Figures go to lines starting with "natlab:".
#
#   +-------------- namespace inet: bridge br0 ----------------+
#   |  H 3fff:0:0:100::10   rA wan 3fff:0:0:a00::1   rB wan ...b00::1
#   |  (locked, proxy: H also serves wss on tcp/443 as
#   |   helper.parley.test)
#   +-----------------------------------------------------------+
#                               rA lan fd00:a::1 -- A fd00:a::2
#                               rB lan fd00:b::1 -- B fd00:b::2
#                               (locked: rB forwards tcp/443 only;
#                                proxy: nothing, tinyproxy on
#                                [fd00:b::1]:3128 goes out instead)
#
# No namespace has a route out; nothing touches the root namespace's links.
# The lab has no DNS: where a name must resolve (rB's proxy; B on the
# locked lab, as an office's own DNS would), /etc/netns/<namespace>/hosts
# maps helper.parley.test to H (ip netns exec mounts it over /etc/hosts).
#
# Usage: test/netns/natlab.sh BINARY [cone] [symmetric] [locked] [proxy]
#                                        (default: all four)
#        test/netns/natlab.sh --net-only [cone] [symmetric] [locked] [proxy]
#   --net-only builds each lab and checks it with ping, a UDP mapping probe
#   and, on the locked and proxy labs, HTTPS and UDP servers on H that B
#   must reach only on port 443 (or only through the proxy), without
#   starting Parley.
# Needs root, ip, nft, ping, curl and jq (the mapping probe also python3 and
# conntrack: without them the lab fails, as it cannot tell its NAT type);
# the locked and proxy labs also openssl, and the proxy lab tinyproxy
# (installed if missing: the lab fails without it). Everything it creates
# is removed on exit, on failure too;
# with NATLAB_LOGS=DIR the nodes' logs are copied to DIR/<lab>/ first, and
# with NATLAB_FIGURES=FILE each lab appends a JSON line of its figures.
set -euo pipefail

usage="usage: natlab.sh BINARY|--net-only [cone] [symmetric] [locked] [proxy]"
net_only=no
if [[ ${1:-} == --net-only ]]; then
  net_only=yes
  bin=
else
  bin=$(realpath "${1:?$usage}")
fi
shift
nats=("$@")
((${#nats[@]})) || nats=(cone symmetric locked proxy)
for nat in "${nats[@]}"; do
  case $nat in
    cone | symmetric | locked | proxy) ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
wants() { [[ " ${nats[*]} " == *" $1 "* ]]; } # wants LAB: LAB is to run

if [[ $(id -u) -ne 0 ]]; then
  echo "natlab: SKIPPED: needs root to create network namespaces"
  exit 0
fi
for tool in ip nft ping curl jq; do
  command -v "$tool" >/dev/null || {
    echo "natlab: FAIL: $tool is not installed (apt-get install iproute2 nftables iputils-ping curl jq)" >&2
    exit 1
  }
done
if wants locked || wants proxy; then
  command -v openssl >/dev/null || {
    echo "natlab: FAIL: openssl is not installed (apt-get install openssl): the locked and proxy labs make a test CA with it" >&2
    exit 1
  }
fi
# tinyproxy-bin is Debian's tinyproxy alone: the tinyproxy package would
# also start a proxy service on this machine.
if wants proxy && ! command -v tinyproxy >/dev/null; then
  echo "natlab: installing tinyproxy-bin for the proxy lab"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends tinyproxy-bin </dev/null >&2 ||
    { apt-get update -q </dev/null >&2 && apt-get install -y -q --no-install-recommends tinyproxy-bin </dev/null >&2; } ||
    true
  command -v tinyproxy >/dev/null || {
    echo "natlab: FAIL: tinyproxy is not installed and could not be (apt-get install tinyproxy-bin): the proxy lab needs it" >&2
    exit 1
  }
fi

tag="nl$$"
work=$(mktemp -d /tmp/natlab.XXXXXX)
nodes=(h h2 a b)               # the Parley nodes
spaces=(inet h h2 ra rb a b)   # every namespace, by its short name
declare -A pid                 # Parley node -> PID
proxy_pid=                     # the proxy on rB (proxy lab)
probe_pids=()                  # --net-only's servers on H (locked, proxy)
made_etc_netns=no              # /etc/netns was made here, for the hosts files
b_env=()                       # node B's environment (locked, proxy)
nat=                           # the lab standing now: cone, symmetric, locked or proxy
run=                           # its work dir
passed=0

ns() { echo "$tag-$1"; }

H=3fff:0:0:100::10
H2=3fff:0:0:100::20 # a second helper: a second observer of the homes' NAT mappings
RA_WAN=3fff:0:0:a00::1
RB_WAN=3fff:0:0:b00::1
A=fd00:a::2
B=fd00:b::2
RB_LAN=fd00:b::1

NAME=helper.parley.test # H's name on 443, in its certificate
PROXY_USER=parley
PROXY_PW=s3cret-natlab-pw
PROXY="http://$PROXY_USER:$PROXY_PW@[$RB_LAN]:3128"

# --- cleanup ------------------------------------------------------------------

proc_gone() { # proc_gone PID: the process has exited (a zombie counts)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
  [[ -z $state || $state == Z ]]
}

stop_pid() { # stop_pid PID: SIGTERM, up to 10 s to exit, then SIGKILL; reaps it
  local p=$1 deadline=$((SECONDS + 10))
  kill -TERM "$p" 2>/dev/null || true
  until proc_gone "$p"; do
    if ((SECONDS >= deadline)); then
      echo "natlab: process $p ignored SIGTERM for 10 s: killing it" >&2
      kill -KILL "$p" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$p" 2>/dev/null || true
}

stop_probes() {
  local p
  for p in "${probe_pids[@]}"; do stop_pid "$p"; done
  probe_pids=()
}

teardown_lab() {
  local n s
  for n in "${nodes[@]}"; do
    if [[ -n ${pid[$n]:-} ]]; then stop_pid "${pid[$n]}"; fi
    pid[$n]=
  done
  if [[ -n $proxy_pid ]]; then stop_pid "$proxy_pid"; fi
  proxy_pid=
  stop_probes
  for s in "${spaces[@]}"; do
    ip netns del "$(ns "$s")" 2>/dev/null || true
    rm -rf "/etc/netns/$(ns "$s")"
  done
}

cleanup() {
  teardown_lab
  if [[ $made_etc_netns == yes ]]; then rmdir /etc/netns 2>/dev/null || true; fi
  if [[ -n ${NATLAB_LOGS:-} ]]; then
    local d
    for d in "$work"/*/; do
      [[ -d $d ]] || continue
      mkdir -p "$NATLAB_LOGS/$(basename "$d")"
      cp "$d"/*.log "$NATLAB_LOGS/$(basename "$d")/" 2>/dev/null || true
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "natlab: FAIL${nat:+ ($nat lab)}: $*" >&2
  local n
  for n in "${nodes[@]}"; do
    if [[ -n $run && -f $run/$n.log ]]; then
      echo "--- node $n log (last 40 lines) ---" >&2
      tail -n 40 "$run/$n.log" >&2
    fi
  done
  if [[ -n $run && -f $run/tinyproxy.log ]]; then
    echo "--- proxy on rB: log (last 20 lines) ---" >&2
    tail -n 20 "$run/tinyproxy.log" >&2
  fi
  for n in ra rb; do
    if ip netns list | grep -qw "$(ns $n)"; then
      echo "--- router $n: conntrack (udp, last 10) ---" >&2
      ip netns exec "$(ns $n)" conntrack -L -f ipv6 -p udp 2>/dev/null | tail -n 10 >&2 || true
    fi
  done
  echo "natlab: $passed passed, 1 failed"
  exit 1
}
ok() { passed=$((passed + 1)); echo "natlab: ok: $nat: $*"; }
note() { echo "natlab: $nat: $*"; }

# With NATLAB_FIGURES=FILE, each lab appends one JSON line of its figures
# (milliseconds) to FILE: make bench-natlab gathers them.
declare -A fig
figure() { fig[$1]=$2; } # figure NAME VALUE
write_figures() {
  [[ -n ${NATLAB_FIGURES:-} ]] || return 0
  local k args=(--arg nat "$nat")
  for k in "${!fig[@]}"; do args+=(--arg "$k" "${fig[$k]}"); done
  jq -cn "${args[@]}" '$ARGS.named | with_entries(.value |= (if test("^[0-9]+$") then tonumber else . end))' >>"$NATLAB_FIGURES"
}
trap 'fail "command failed at line $LINENO: $BASH_COMMAND"' ERR

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
secs() { printf '%d.%01d s' $(($1 / 1000)) $((($1 % 1000) / 100)); } # secs MS

wait_for() { # wait_for SECONDS WHAT COMMAND...: poll COMMAND until it succeeds
  local limit=$1 what=$2 deadline=$((SECONDS + $1)) out
  shift 2
  until out=$("$@" 2>&1); do
    ((SECONDS < deadline)) || fail "after $limit s: $what${out:+ (last: ${out:0:300})}"
    sleep 0.2
  done
}

# --- the lab ------------------------------------------------------------------

in_ns() { local s=$1; shift; ip netns exec "$(ns "$s")" "$@"; }

new_ns() { # new_ns NAME: a namespace with lo up and no duplicate address detection
  local s=$1
  ip netns add "$(ns "$s")"
  ip -n "$(ns "$s")" link set lo up
  in_ns "$s" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

router_rules() { # router_rules LAB: the nftables ruleset of a home router
  local masq=masquerade out='iifname "lan" oifname "wan" accept'
  case $1 in
    symmetric) masq="masquerade fully-random" ;;
    # An office that lets out web traffic only: new TCP connections to
    # port 443, and what belongs to them.
    locked)
      out='iifname "lan" oifname "wan" tcp dport 443 ct state new accept
    iifname "lan" oifname "wan" ct state established,related accept' ;;
    # Nothing: the proxy on the router is the only way out.
    proxy) out= ;;
  esac
  cat <<EOF
table ip6 natlab {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" $masq
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    $out
    iifname "wan" oifname "lan" ct state established,related accept
  }
  chain input {
    type filter hook input priority filter; policy accept;
    # Without this, a peer's punch packet arriving first makes a conntrack
    # entry on the router's own port and masquerade moves ours (FACTS.md).
    iifname "wan" ct state new drop
  }
}
EOF
}

build_lab() { # build_lab LAB
  local s
  for s in "${spaces[@]}"; do new_ns "$s"; done
  ip -n "$(ns inet)" link add br0 type bridge mcast_snooping 0
  ip -n "$(ns inet)" link set br0 up

  # H and H2: a /64 of their own, and the whole "internet" on-link.
  local helper addr
  for helper in h h2; do
    [[ $helper == h ]] && addr=$H || addr=$H2
    ip -n "$(ns inet)" link add "v$helper" type veth peer name eth0 netns "$(ns "$helper")"
    ip -n "$(ns inet)" link set "v$helper" master br0 up
    ip -n "$(ns "$helper")" addr add "$addr/64" dev eth0 nodad
    ip -n "$(ns "$helper")" link set eth0 up
    ip -n "$(ns "$helper")" route add 3fff::/20 dev eth0
  done

  # Each home behind its router; on the locked and proxy labs, A's is a
  # cone NAT.
  local home router wan prefix rules
  for home in a b; do
    rules=$1
    [[ $home == a && ($1 == locked || $1 == proxy) ]] && rules=cone
    router=r$home
    [[ $home == a ]] && wan=$RA_WAN || wan=$RB_WAN
    prefix=fd00:$home
    in_ns "$router" sysctl -qw net.ipv6.conf.all.forwarding=1
    ip -n "$(ns inet)" link add "v$router" type veth peer name wan netns "$(ns "$router")"
    ip -n "$(ns inet)" link set "v$router" master br0 up
    ip -n "$(ns "$router")" addr add "$wan/64" dev wan nodad
    ip -n "$(ns "$router")" link set wan up
    ip -n "$(ns "$router")" route add 3fff::/20 dev wan
    ip -n "$(ns "$router")" link add lan type veth peer name eth0 netns "$(ns "$home")"
    ip -n "$(ns "$router")" addr add "$prefix::1/64" dev lan nodad
    ip -n "$(ns "$router")" link set lan up
    ip -n "$(ns "$home")" addr add "$prefix::2/64" dev eth0 nodad
    ip -n "$(ns "$home")" link set eth0 up
    ip -n "$(ns "$home")" route add default via "$prefix::1" dev eth0
    router_rules "$rules" | in_ns "$router" nft -f - || fail "nft rejected the $rules ruleset of $router"
  done

  case $1 in
    locked) make_certs; hosts_file b ;;
    proxy) make_certs; hosts_file rb; start_proxy ;;
  esac
}

make_certs() { # a test CA, and H's certificate for $NAME from it (once a run)
  [[ -s $work/helper.pem ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=Parley natlab test CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>"$work/openssl.err" ||
    fail "openssl could not make the test CA: $(cat "$work/openssl.err")"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$NAME" \
    -keyout "$work/helper.key" -out "$work/helper.csr" 2>"$work/openssl.err" ||
    fail "openssl could not make H's key: $(cat "$work/openssl.err")"
  printf 'subjectAltName=DNS:%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$NAME" >"$work/helper.ext"
  openssl x509 -req -in "$work/helper.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$work/helper.ext" \
    -out "$work/helper.pem" 2>"$work/openssl.err" ||
    fail "openssl could not sign H's certificate: $(cat "$work/openssl.err")"
  openssl verify -CAfile "$work/ca.pem" "$work/helper.pem" >/dev/null ||
    fail "H's certificate does not verify against the test CA"
}

hosts_file() { # hosts_file NS: in namespace NS, $NAME is H
  [[ -d /etc/netns ]] || { mkdir /etc/netns; made_etc_netns=yes; }
  mkdir -p "/etc/netns/$(ns "$1")"
  printf '127.0.0.1 localhost\n::1 localhost\n%s %s\n' "$H" "$NAME" >"/etc/netns/$(ns "$1")/hosts"
}

start_proxy() { # tinyproxy on rB's LAN address: a password, and port 443 only
  cat >"$run/tinyproxy.conf" <<EOF
Listen $RB_LAN
Port 3128
Timeout 600
MaxClients 100
LogFile "$run/tinyproxy.log"
PidFile "$run/tinyproxy.pid"
LogLevel Info
BasicAuth $PROXY_USER $PROXY_PW
ConnectPort 443
EOF
  # ip netns exec, not in_ns: $! must be the proxy itself.
  ip netns exec "$(ns rb)" tinyproxy -d -c "$run/tinyproxy.conf" >>"$run/tinyproxy.out.log" 2>&1 &
  proxy_pid=$!
}

pings() { in_ns "$1" ping -6 -n -q -c 1 -W 1 "$2"; }
no_ping() { ! in_ns "$1" ping -6 -n -q -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }

# udp_ports HOME: send UDP from one source port of HOME to two ports of H,
# and print the two source ports H sees (the reply tuples in the router's
# conntrack, which must be addressed to the router's wan address).
udp_ports() {
  local home=$1 router=r$1 wan=$2
  in_ns "$router" conntrack -F -f ipv6 >/dev/null 2>&1 || true
  in_ns "$home" python3 - "$H" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 40000))
for port in (5001, 5002):
    s.sendto(b"natlab", (sys.argv[1], port))
EOF
  local port
  for port in 5001 5002; do
    in_ns "$router" conntrack -L -f ipv6 -p udp --dport "$port" 2>/dev/null |
      sed -n "s/.* src=$H dst=$wan sport=$port dport=\([0-9]*\).*/\1/p" | head -n 1
  done
}

check_lab() { # check_lab LAB: the homes reach H, nothing reaches a home unasked
  local home homes=(a b) kind=$1
  # On the locked and proxy labs B reaches H on port 443 only (or only
  # through the proxy): check_locked; A's router is a cone NAT.
  [[ $1 == locked || $1 == proxy ]] && homes=(a) kind=cone
  for home in "${homes[@]}"; do
    wait_for 10 "home $home pings H" pings "$home" "$H"
  done
  if ((${#homes[@]} == 2)); then ok "homes A and B reach H at $H"; else ok "home A reaches H at $H"; fi
  no_ping h "$RA_WAN" || fail "H reaches router rA's wan address unasked"
  no_ping a "$B" || fail "home A reaches home B's private address"
  # Even with a route to the home's prefix, rA lets nothing in unasked.
  ip -n "$(ns h)" route add fd00:a::/64 via "$RA_WAN"
  no_ping h "$A" || fail "H reaches home A through rA unasked"
  ip -n "$(ns h)" route del fd00:a::/64 via "$RA_WAN"
  ok "H reaches neither a router nor a home unasked"

  # make setup installs both; a check that cannot run fails the lab.
  command -v python3 >/dev/null && command -v conntrack >/dev/null ||
    fail "the UDP mapping probe needs python3 and conntrack (make setup installs them)"
  local ports wan
  for home in "${homes[@]}"; do
    [[ $home == a ]] && wan=$RA_WAN || wan=$RB_WAN
    mapfile -t ports < <(udp_ports "$home" "$wan")
    [[ ${#ports[@]} -eq 2 && -n ${ports[0]} && -n ${ports[1]} ]] ||
      fail "router r$home shows no mapping to its wan address $wan for the UDP probe"
    if [[ $kind == cone ]]; then
      [[ ${ports[0]} == "${ports[1]}" ]] ||
        fail "cone router r$home mapped one source port to ${ports[0]} and ${ports[1]}"
    else
      [[ ${ports[0]} != "${ports[1]}" ]] ||
        fail "symmetric router r$home mapped one source port to ${ports[0]} for two destinations"
    fi
    note "r$home maps UDP [$home]:40000 to ports ${ports[0]} and ${ports[1]} for two destinations"
  done
  if ((${#homes[@]} == 2)); then ok "the routers map ports as a $kind NAT does"; else ok "rA maps ports as a cone NAT does"; fi
  if [[ $1 == locked || $1 == proxy ]]; then check_locked "$1"; fi
}

# udp_answered HOME: a datagram from HOME to H's UDP echo (--net-only)
# comes back within 2 s.
udp_answered() {
  in_ns "$1" python3 - "$H" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"natlab", (sys.argv[1], 5001))
s.recvfrom(100)
EOF
}

# https_ok NODE PORT [CURL-ARGS...]: NODE fetches https://$NAME:PORT/ from
# H's test server (--net-only), trusting the test CA.
https_ok() {
  local n=$1 port=$2
  shift 2
  in_ns "$n" curl -sf -o /dev/null --max-time 5 --cacert "$work/ca.pem" "$@" "https://$NAME:$port/"
}

dropped() { # dropped NODE PORT: NODE's TCP connection to H's PORT goes unanswered: curl times out, it is not refused
  local rc=0
  in_ns "$1" curl -s -o /dev/null --connect-timeout 2 "http://[$H]:$2/" || rc=$?
  ((rc == 28)) || { echo "curl exit $rc, want 28 (timed out)"; return 1; }
}

# proxy_says CODES PROXY [URL]: the proxy on rB answers B's CONNECT with
# one of CODES (a|b).
proxy_says() {
  local code
  code=$(in_ns b curl -s -o /dev/null --max-time 5 -w '%{http_connect}' --cacert "$work/ca.pem" \
    -x "$2" "${3:-https://$NAME/}") || true
  [[ $code =~ ^($1)$ ]] || { echo "the proxy answered ${code:-nothing}, want $1"; return 1; }
}

check_locked() { # check_locked locked|proxy: what rB lets out of home B
  no_ping b "$H" || fail "home B pings H through its $1 router"
  ok "home B cannot ping H"
  if [[ $1 == proxy ]]; then
    proc_gone "$proxy_pid" && fail "the proxy on rB exited at start: $(cat "$run/tinyproxy.out.log")"
    wait_for 10 "the proxy on rB asks B for a password" proxy_says 407 "http://[$RB_LAN]:3128"
    # tinyproxy answers a wrong password with 401.
    proxy_says '401|407' "http://$PROXY_USER:wrong@[$RB_LAN]:3128" >/dev/null ||
      fail "the proxy on rB takes a wrong password: $(proxy_says '401|407' "http://$PROXY_USER:wrong@[$RB_LAN]:3128")"
    ok "the proxy on rB listens at [$RB_LAN]:3128 and wants its password"
  fi
  [[ $net_only == yes ]] || return 0

  # Test servers on H, with --net-only only: with Parley, H's wss has 443.
  local port
  for port in 443 4001; do
    ip netns exec "$(ns h)" openssl s_server -quiet -www -6 -accept "$port" \
      -cert "$work/helper.pem" -key "$work/helper.key" </dev/null >>"$run/probe.log" 2>&1 &
    probe_pids+=($!)
  done
  ip netns exec "$(ns h)" python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 5001))
s.settimeout(300)  # ends by itself, should nothing stop it
while True:
    data, peer = s.recvfrom(100)
    s.sendto(data, peer)
' </dev/null >>"$run/probe.log" 2>&1 &
  probe_pids+=($!)
  # A, behind a plain NAT, reaches all three: the servers work.
  # A has no hosts file: curl is told where $NAME is.
  wait_for 10 "home A fetches https://$NAME/ from H" https_ok a 443 --resolve "$NAME:443:[$H]"
  wait_for 10 "home A fetches https://$NAME:4001/ from H" https_ok a 4001 --resolve "$NAME:4001:[$H]"
  wait_for 10 "home A gets H's UDP echo" udp_answered a
  ok "home A reaches H's test servers on tcp/443, tcp/4001 and udp/5001"

  if [[ $1 == locked ]]; then
    https_ok b 443 || fail "home B cannot fetch https://$NAME/ (port 443, its name from the hosts file)"
    ok "home B fetches https://$NAME/ on port 443"
  else
    dropped b 443 >/dev/null || fail "home B reaches H's port 443 without the proxy: $(dropped b 443)"
    https_ok b 443 -x "$PROXY" || fail "home B cannot fetch https://$NAME/ through the proxy"
    proxy_says 403 "$PROXY" "https://$NAME:4001/" >/dev/null ||
      fail "the proxy does not refuse port 4001: $(proxy_says 403 "$PROXY" "https://$NAME:4001/")"
    ok "home B fetches https://$NAME/ only through the proxy (it resolves the name), which refuses port 4001"
  fi
  dropped b 4001 >/dev/null || fail "home B's connection to H's tcp/4001 is not dropped: $(dropped b 4001)"
  ! udp_answered b 2>/dev/null || fail "home B gets H's UDP echo through its $1 router"
  ok "home B's connections to H's tcp/4001 and udp/5001 are dropped"
  stop_probes
}

# --- Parley nodes ---------------------------------------------------------------

call() { # call NODE METHOD [JSON-ARGS]: print the JSON result, fail on HTTP errors
  local n=$1 method=$2 args=${3:-[]}
  in_ns "$n" curl -sf --max-time "${CALL_MAX:-5}" \
    -H "Authorization: Bearer $(cat "$run/$n/api-token" 2>/dev/null)" \
    -d "$args" "http://127.0.0.1:7717/api/$method"
}
serves() { [[ -s $run/$1/api-token ]] && call "$1" Status; }

start() { # start NODE FLAGS...: start a headless node in NODE's namespace
  local n=$1
  shift
  mkdir -p "$run/$n"
  echo "=== start $(date +%T.%N)" >>"$run/$n.log"
  local env=()
  [[ $n == b ]] && env=("${b_env[@]}")
  # ip netns exec, not in_ns: a function would run in a subshell, and $!
  # must be the node itself (env execs it).
  ip netns exec "$(ns "$n")" env "${env[@]}" "$bin" --headless --network internet --data-dir "$run/$n" \
    --api 127.0.0.1:7717 "$@" >>"$run/$n.log" 2>&1 &
  pid[$n]=$!
  local deadline=$((SECONDS + 20))
  until serves "$n" >/dev/null 2>&1; do
    proc_gone "${pid[$n]}" && fail "node $n exited at start"
    ((SECONDS < deadline)) || fail "after 20 s: node $n serves its API"
    sleep 0.2
  done
}

stop() { # stop NODE: SIGTERM, and wait for it to exit
  stop_pid "${pid[$1]}"
  pid[$1]=
}

start_helper() {
  local wss=()
  # Where B gets out only on 443, H serves a secure WebSocket there too.
  [[ $nat == locked || $nat == proxy ]] &&
    wss=(--wss-port 443 --tls-cert "$work/helper.pem" --tls-key "$work/helper.key" --domain "$NAME")
  start h --helper --listen "/ip6/$H/udp/4001/quic-v1" --listen "/ip6/$H/tcp/4001" "${wss[@]}"
}

history_has() { # history_has NODE ROOM TEXT
  call "$1" History "[\"$2\", \"\", 100]" |
    jq -e --arg t "$3" 'if type == "object" then .messages else . end | any(.[]; .text == $t)'
}
member() { # member NODE ROOM PEER: NODE's Members entry for PEER
  call "$1" Members "[\"$2\"]" | jq -ce --arg p "$3" '.[] | select(.peerId == $p)'
}
via() { member "$@" | jq -r '.via // ""'; }
online() { member "$@" | jq -e '.online == true'; }
offline() { member "$@" | jq -e '.online == false'; }
has_relay() { call "$1" Status | jq -e '(.relays // []) | length > 0'; }
no_relay() { call "$1" Status | jq -e '(.relays // []) | length == 0'; }
via_was() { # via_was NODE ROOM PEER WANT: PEER's via is WANT; else print it
  local v
  v=$(via "$1" "$2" "$3")
  [[ $v == "$4" ]] || { echo "via '$v'"; return 1; }
}

send() { call "$1" Send "[\"$2\", \"$3\"]" >/dev/null || fail "node $1 could not send \"$3\""; }

# deliver FROM TO ROOM TEXT SECONDS: FROM sends TEXT; sets took to the ms
# until TO's history holds it.
deliver() {
  local from=$1 to=$2 room=$3 text=$4 t0
  t0=$(now_ms)
  send "$from" "$room" "$text"
  wait_for "$5" "node $to receives \"$text\" from $from" history_has "$to" "$room" "$text"
  took=$(($(now_ms) - t0))
}
took=

# converse LABEL ROUNDS SECONDS [VIA]: ROUNDS times, A writes to B and B to
# A, each message seen within SECONDS, a second apart (pacing, not waiting).
# With VIA, each side must see the other via VIA after every round.
converse() {
  local label=$1 rounds=$2 limit=$3 want=${4:-} r va vb maxab=0 maxba=0 sumab=0 sumba=0
  for ((r = 1; r <= rounds; r++)); do
    ((r == 1)) || sleep 1
    deliver a b "$room" "a to b $label $r" "$limit"
    ((took > maxab)) && maxab=$took
    sumab=$((sumab + took))
    deliver b a "$room" "b to a $label $r" "$limit"
    ((took > maxba)) && maxba=$took
    sumba=$((sumba + took))
    if [[ -n $want ]]; then
      va=$(via a "$room" "$bid") vb=$(via b "$room" "$aid")
      [[ $va == "$want" && $vb == "$want" ]] ||
        fail "$label, round $r: A sees B via '$va', B sees A via '$vb', want '$want'"
    fi
  done
  note "$label: $rounds messages each way; a -> b mean $((sumab / rounds)) ms, max $maxab ms; b -> a mean $((sumba / rounds)) ms, max $maxba ms${want:+; via $want throughout}"
}

scenario() { # scenario NAT
  local t0 hid link joined ta tb
  aid= bid= room=

  start_helper
  hid=$(call h Status | jq -r .peerId)
  grep -q "^peer id: *$hid" "$run/h.log" || fail "helper did not print its peer id"
  local boot="/ip6/$H/udp/4001/quic-v1/p2p/$hid"
  start a --bootstrap "$boot"
  if [[ $1 != symmetric ]]; then
    # A newcomer, as every desktop user is the first time: no helper of
    # its own, only what A's link names. It must still end up punched
    # (cone), or reach H on 443 (locked, proxy).
    start b
  else
    start b --bootstrap "$boot"
  fi
  aid=$(call a Status | jq -r .peerId)
  bid=$(call b Status | jq -r .peerId)

  # A invites at once, before it has a relay: the invite waits for one
  # (up to 20 s), so that the link works from B's home.
  room=$(call a CreateRoom '["natlab"]' | jq -r .id)
  local status
  status=$(call a InviteStatus "[\"$room\"]" | jq -c .)
  [[ $(jq -r .why <<<"$status") == findingWayIn ]] || fail "A, just started, says its invite is $status; want findingWayIn"
  t0=$(now_ms)
  link=$(CALL_MAX=30 call a Invite "[\"$room\"]" | jq -r .) || fail "A's Invite failed"
  [[ $link == parley://join/* ]] || fail "A's invite is not a parley://join/ link: $link"
  figure invite_ms $(($(now_ms) - t0))
  note "an invite asked for right after A started (InviteStatus $status) came after $(secs $(($(now_ms) - t0))); InviteStatus then $(call a InviteStatus "[\"$room\"]" | jq -c .)"
  has_relay a >/dev/null || fail "A's invite came before A had a relay"
  note "A status: $(call a Status | jq -c '{reachability, relays: (.relays | length), natType}'); B status: $(call b Status | jq -c '{reachability, relays: (.relays | length), natType}')"
  ok "an invite made at start waits for A's relay"
  # The helper is given the room: it relays members without limits only
  # between members of a room it joined (others get a limited relay, enough
  # to punch a hole but not to carry a room).
  call h JoinRoom "$(jq -cn --arg l "$link" '[$l, ""]')" >/dev/null || fail "the helper could not join by A's link"

  # B joins; A writes right away, and so does B. Time until each sees the other's.
  t0=$(now_ms)
  joined=$(CALL_MAX=60 call b JoinRoom "$(jq -cn --arg l "$link" '[$l, ""]')" | jq -r .id) ||
    fail "B could not join with A's link"
  local tj=$(($(now_ms) - t0))
  [[ $joined == "$room" ]] || fail "B joined room $joined, A's is $room"
  send a "$room" "hello from a"
  send b "$room" "hello from b"
  ta= tb=
  local deadline=$((SECONDS + 60))
  while [[ -z $ta || -z $tb ]]; do
    ((SECONDS < deadline)) || fail "after 60 s: A and B see each other's first message (b sees a: ${tb:-no}, a sees b: ${ta:-no})"
    [[ -z $tb ]] && history_has b "$room" "hello from a" >/dev/null 2>&1 && tb=$(($(now_ms) - t0))
    [[ -z $ta ]] && history_has a "$room" "hello from b" >/dev/null 2>&1 && ta=$(($(now_ms) - t0))
    sleep 0.1
  done
  figure join_to_first_ms $((ta < tb ? ta : tb))
  note "join -> first message: $((ta < tb ? ta : tb)) ms (JoinRoom returned after $tj ms; B sees A's: $tb ms, A sees B's: $ta ms)"
  note "right after: A sees B via '$(via a "$room" "$bid")', B sees A via '$(via b "$room" "$aid")'"
  ok "B joined with A's link and both see each other's first message"
  if [[ $1 == locked || $1 == proxy ]]; then
    locked_scenario "$1"
    return
  fi

  if [[ $1 == cone ]]; then
    wait_for 60 "A sees B via holepunched" via_was a "$room" "$bid" holepunched
    wait_for 60 "B sees A via holepunched" via_was b "$room" "$aid" holepunched
    figure join_to_punched_ms $(($(now_ms) - t0))
    note "via holepunched on both sides $(secs $(($(now_ms) - t0))) after the join"
    local punched
    punched=$(grep -ho 'msg="hole punched".*' "$run/a.log" "$run/b.log" | grep -o 'took=[^ ]*' | paste -sd ' ' || true)
    note "the nodes' logs: hole punched ${punched:-(no 'hole punched' line)}"
    ok "A and B punched a hole"
    # Long enough to span the node moving room traffic off the relay
    # (2 s after a punch).
    converse "over the hole" 6 20 holepunched
    ok "messages flow both ways over the hole"
  else
    # No hole through a symmetric NAT: the path stays on the relay, for
    # a conversation far longer than a punch takes on the cone lab.
    converse "through the relay" 10 20 relayed
    ok "A and B talk through H's relay, and via stays relayed"
  fi

  # H goes away in the middle of the conversation: stopped on the cone
  # lab, where the hole carries on; killed on the symmetric one, where it
  # was the only path and nothing tells the homes it is gone.
  send a "$room" "a before the helper stops"
  if [[ $1 == cone ]]; then
    stop h
    note "helper stopped (SIGTERM)"
  else
    kill -KILL "${pid[h]}"
    wait "${pid[h]}" 2>/dev/null || true
    pid[h]=
    note "helper killed (SIGKILL)"
  fi
  t0=$(now_ms)
  if [[ $1 == cone ]]; then
    wait_for 30 "B receives A's last message before the stop" history_has b "$room" "a before the helper stops"
    converse "without helper" 3 30 holepunched
    ok "A and B keep talking without the helper"
  else
    # Each side pings its relay and cuts it once silent (the node's aim:
    # under 10 s; the deadline here is generous, the figure is printed).
    local ta= tb=
    deadline=$((SECONDS + 30))
    until [[ -n $ta && -n $tb ]]; do
      ((SECONDS < deadline)) || fail "after 30 s without H: A sees B $(member a "$room" "$bid" | jq -c '{online, via}'), B sees A $(member b "$room" "$aid" | jq -c '{online, via}')"
      [[ -z $ta ]] && offline a "$room" "$bid" >/dev/null 2>&1 && ta=$(($(now_ms) - t0))
      [[ -z $tb ]] && offline b "$room" "$aid" >/dev/null 2>&1 && tb=$(($(now_ms) - t0))
      sleep 0.2
    done
    figure kill_to_offline_ms $((ta > tb ? ta : tb))
    note "without helper: A shows B offline after $(secs "$ta"), B shows A offline after $(secs "$tb"); relays now A $(call a Status | jq -c '.relays | length'), B $(call b Status | jq -c '.relays | length')"
    ok "A and B notice that the path through H is gone"
    local state
    state=$(call a Send "[\"$room\", \"a while the helper is away\"]" | jq -r .state)
    [[ $state == stored ]] || fail "A's message sent with H gone is '$state', want 'stored'"
    state=$(call b Send "[\"$room\", \"b while the helper is away\"]" | jq -r .state)
    [[ $state == stored ]] || fail "B's message sent with H gone is '$state', want 'stored'"
    ok "a message sent meanwhile is stored, not sent"

    note "without helper: B sees A $(member b "$room" "$aid" | jq -c '{online, via}')"
    start_helper
    [[ $(call h Status | jq -r .peerId) == "$hid" ]] || fail "the restarted helper has another peer id"
    t0=$(now_ms)
    note "helper restarted"
    wait_for 120 "A holds a relay reservation again" has_relay a
    figure restart_to_relay_ms $(($(now_ms) - t0))
    note "helper back: A has a relay again after $(secs $(($(now_ms) - t0)))"
    wait_for 120 "B gets A's message written while H was away" history_has b "$room" "a while the helper is away"
    wait_for 120 "A gets B's message written while H was away" history_has a "$room" "b while the helper is away"
    figure restart_to_delivered_ms $(($(now_ms) - t0))
    note "helper back: messages written while it was away arrive $(secs $(($(now_ms) - t0))) after its restart"
    # They came through H, a member holding the room; A and B redial each
    # other through its relay once both hold a reservation again.
    wait_for 60 "A sees B via relayed again" via_was a "$room" "$bid" relayed
    wait_for 60 "B sees A via relayed again" via_was b "$room" "$aid" relayed
    figure restart_to_relayed_ms $(($(now_ms) - t0))
    note "helper back: A and B reach each other through the relay again $(secs $(($(now_ms) - t0))) after its restart"
    converse "helper back" 3 120 relayed
    note "helper back: A sees B $(member a "$room" "$bid" | jq -c '{online, via}'), B sees A $(member b "$room" "$aid" | jq -c '{online, via}')"
    ok "the chat recovers once H is back"

    # B restarts while the relay is its only way to A: it comes back by
    # itself (A is remembered with its relay address), and gets what A
    # wrote meanwhile.
    stop b
    call a Send "[\"$room\", \"a while b restarts\"]" >/dev/null
    t0=$(now_ms)
    start b --bootstrap "$boot"
    wait_for 120 "A sees B online again after B's restart" online a "$room" "$bid"
    wait_for 120 "B gets what A wrote while it restarted" history_has b "$room" "a while b restarts"
    note "B restarted: back in the room and caught up $(secs $(($(now_ms) - t0))) after its start"
    # What A wrote may have come through H, a member holding the room,
    # before B's own connection to A through the relay is up.
    wait_for 60 "B sees A via relayed after its restart" via_was b "$room" "$aid" relayed
    wait_for 60 "A sees B via relayed after B's restart" via_was a "$room" "$bid" relayed
    converse "after b restarts" 2 120 relayed
    ok "B rejoins by itself after a restart, through the relay"
  fi
}

restricted_is() { # restricted_is NODE true|false: NODE's Status says restricted so
  local r
  r=$(call "$1" Status | jq -c .restricted)
  [[ $r == "$2" ]] || { echo "restricted: $r"; return 1; }
}

path_to() { # path_to NODE PEER VIA TRANSPORT: NODE reaches PEER so; else print how
  local p
  p=$(call "$1" Peers | jq -r --arg p "$2" '[.[] | select(.peerId == $p) | "\(.via)/\(.transport)"] | join(",")')
  [[ $p == "$3/$4" ]] || { echo "path '$p'"; return 1; }
}

hist() { call "$1" History "[\"$room\", \"\", 500]" | jq -c 'if type == "object" then .messages else . end'; }
holds_all() { # holds_all NODE IDS: NODE's history holds every message ID in the file IDS
  local want have
  want=$(wc -l <"$2")
  have=$(hist "$1" | jq -r '.[].id' | grep -cxFf "$2") || true
  [[ $have == "$want" ]] || { echo "holds ${have:-none} of $want"; return 1; }
}

# burst FROM TO N: FROM sends N messages in a row, as fast as its API takes
# them; took: the ms from the first until TO holds every one.
burst() {
  local from=$1 to=$2 n=$3 i id t0 sent
  : >"$run/$from.sent"
  t0=$(now_ms)
  for ((i = 1; i <= n; i++)); do
    id=$(call "$from" Send "[\"$room\", \"$from burst $i\"]" | jq -er .id) ||
      fail "node $from could not send \"$from burst $i\""
    echo "$id" >>"$run/$from.sent"
  done
  sent=$(($(now_ms) - t0))
  wait_for 120 "node $to holds all $n messages from $from" holds_all "$to" "$run/$from.sent"
  took=$(($(now_ms) - t0))
  note "$n messages $from -> $to: sent in $(secs "$sent"), all there after $(secs "$took")"
}

once_each() { # once_each NODE N: NODE holds each of A's and B's N burst messages once, and nothing twice
  local h count
  h=$(hist "$1")
  count=$(call "$1" MessageCount "[\"$room\"]")
  jq -e --argjson count "$count" --argjson n "$2" '
    [.[] | select(.text | test("^[ab] burst [0-9]+$")) | .text] as $b
    | ([.[].id] | length == (unique | length)) and length == $count
      and ($b | length == 2 * $n and (unique | length) == 2 * $n)' <<<"$h" >/dev/null ||
    fail "node $1's history is not each message once: $(jq -c --argjson count "$count" '{messages: length, distinctIds: ([.[].id] | unique | length), messageCount: $count, bursts: ([.[] | select(.text | test("^[ab] burst "))] | length), distinctBursts: ([.[] | select(.text | test("^[ab] burst ")) | .text] | unique | length)}' <<<"$h")"
}

# locked_scenario locked|proxy: B, that gets out on port 443 only (or
# only through the proxy), says it is restricted, reaches H over wss, and
# 100 messages go each way.
locked_scenario() {
  wait_for 60 "B's Status says restricted" restricted_is b true
  restricted_is a false >/dev/null || fail "A, behind a plain NAT, says $(restricted_is a false)"
  note "B status: $(call b Status | jq -c '{restricted, reachability, relays: (.relays | length), natType, proxy}'); A status: $(call a Status | jq -c '{restricted, reachability, relays: (.relays | length), natType}'); H's wss: $(call h Status | jq -c '.wss | {addrs, cert, names}')"
  ok "B says it is restricted, A does not"
  # Through the proxy too H is "direct": the proxy's address, on B's
  # network, is not where H is.
  wait_for 60 "B reaches H directly over wss" path_to b "$hid" direct wss
  note "B's peers: $(call b Peers | jq -c 'map({shortId, via, transport, why})'); B sees A $(member b "$room" "$aid" | jq -c '{online, via, transport}')"
  ok "B reaches H over a secure WebSocket"

  burst a b 100
  figure a_to_b_100_ms "$took"
  burst b a 100
  figure b_to_a_100_ms "$took"
  once_each a 100
  once_each b 100
  ok "100 messages each way, each there once on both sides"

  if [[ $1 == proxy ]]; then
    local status
    status=$(call b Status)
    ! grep -qF "$PROXY_PW" "$run/b.log" ||
      fail "B's log holds the proxy's password: $(grep -F "$PROXY_PW" "$run/b.log" | head -n 3)"
    [[ $status != *"$PROXY_PW"* ]] || fail "B's Status holds the proxy's password: $status"
    note "the proxy's log: $(grep -cF "CONNECT $NAME:443" "$run/tinyproxy.log" || true) CONNECTs to $NAME:443"
    ok "the proxy's password is in neither B's log nor its Status"
  fi
}

# nat_type_is NODE TYPE: NODE's Status gives natType TYPE.
nat_type_is() { [[ $(call "$1" Status | jq -r '.natType // ""') == "$2" ]]; }

# check_nat_type NAT: a second helper, H2, that A has not met, sees A's NAT
# mapping too; with H's (and on the cone lab B's, over the hole) A can
# tell its NAT's type.
check_nat_type() {
  start h2 --helper --listen "/ip6/$H2/udp/4001/quic-v1" --listen "/ip6/$H2/tcp/4001"
  local h2id
  h2id=$(call h2 Status | jq -r .peerId)
  call a Connect "[\"/ip6/$H2/udp/4001/quic-v1/p2p/$h2id\"]" >/dev/null || fail "A could not connect to H2"
  wait_for 30 "A's Status gives natType $1" nat_type_is a "$1"
  figure nat_type "$(call a Status | jq -r .natType)"
  note "natType: A $(call a Status | jq -c .natType), B $(call b Status | jq -c .natType)"
  ok "A tells its NAT is $1"
}

for nat in "${nats[@]}"; do
  run=$work/$nat
  mkdir -p "$run"
  t_lab=$SECONDS
  build_lab "$nat"
  check_lab "$nat"
  b_env=()
  case $nat in
    # B trusts the test CA that H's certificate comes from.
    locked) b_env=("SSL_CERT_FILE=$work/ca.pem") ;;
    proxy) b_env=("SSL_CERT_FILE=$work/ca.pem" "HTTPS_PROXY=$PROXY") ;;
  esac
  if [[ $net_only == no ]]; then
    fig=()
    scenario "$nat"
    # A's NAT is the cone lab's; B, with no UDP out, has no type to tell.
    if [[ $nat == cone || $nat == symmetric ]]; then check_nat_type "$nat"; fi
    write_figures
  fi
  teardown_lab
  note "done in $((SECONDS - t_lab)) s"
done
nat=
echo "natlab: $passed passed, 0 failed"
