package main

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
)

// benchNet is the only range besides loopback a node may listen or serve
// its API on: the benchmarking range (RFC 2544), which bench/scale.sh
// gives its network namespaces and which no route leads out of.
var benchNet = netip.MustParsePrefix("198.18.0.0/15")

// host says where one node runs when the nodes sit in network namespaces:
// the address it listens and serves its API on, and the command that
// starts the binary there (such as `ip netns exec NS`).
type host struct {
	addr string
	wrap []string
}

// readHosts reads a hosts file: one node per line, "ADDR [COMMAND...]",
// ADDR in 198.18.0.0/15; blank lines and lines starting with # are skipped.
func readHosts(path string) ([]host, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hs []host
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		w := strings.Fields(sc.Text())
		if len(w) == 0 || strings.HasPrefix(w[0], "#") {
			continue
		}
		a, err := netip.ParseAddr(w[0])
		if err != nil || !a.Is4() || !benchNet.Contains(a) {
			return nil, fmt.Errorf("%s:%d: %q is not an IPv4 address in %s", path, ln, w[0], benchNet)
		}
		hs = append(hs, host{addr: a.String(), wrap: w[1:]})
	}
	return hs, sc.Err()
}

// allowedIP reports whether a node may use ip: loopback always, the
// benchmarking range only when the nodes run in namespaces.
func allowedIP(ip net.IP, namespaces bool) bool {
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	a, ok := netip.AddrFromSlice(ip)
	return ok && namespaces && benchNet.Contains(a.Unmap())
}
