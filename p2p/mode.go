// Package p2p runs Parley's libp2p side: the host, room topics, discovery
// and the sync protocol.
package p2p

import "fmt"

// Mode says how far the node reaches out to find peers.
type Mode string

const (
	// ModeOff dials only peers it is told about; no discovery at all.
	ModeOff Mode = "off"
	// ModeLAN finds peers on the local network by mDNS; no internet traffic.
	ModeLAN Mode = "lan"
	// ModeInternet adds the DHT, NAT traversal and relays to ModeLAN.
	ModeInternet Mode = "internet"
)

// Modes lists every mode, in order of reach.
var Modes = []Mode{ModeOff, ModeLAN, ModeInternet}

// ParseMode returns the mode named s, or an error listing the valid names.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown network mode %q (want off, lan or internet)", s)
}

// String implements flag.Value.
func (m *Mode) String() string { return string(*m) }

// Set implements flag.Value.
func (m *Mode) Set(s string) error {
	parsed, err := ParseMode(s)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}
