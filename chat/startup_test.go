package chat

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// freeTCPPort finds a loopback port nobody listens on, so a restarted node
// comes back at the address its peer dials.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A peer that connects the moment a restarting node's network is up gets a
// hello proving every room the node is in: all state is loaded before the
// network starts. (Loaded after, the first hello listed no rooms, and the
// race detector caught the joined set written while a hello read it.)
func TestRestartWithManyRoomsWhileAPeerDials(t *testing.T) {
	const rooms, restarts = 20, 3
	dir := t.TempDir()
	opts := Options{DataDir: dir, Network: "off", ListenAddrs: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freeTCPPort(t))}}
	a, err := Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range rooms {
		r, err := a.CreateRoom(fmt.Sprintf("room %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	me := a.Me()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	for range restarts {
		b := newNode(t, t.TempDir())
		for _, id := range ids {
			joinFrom(t, a, b, id, "")
		}
		opts.networkUp = func() {
			// a's network is up, its rooms not joined yet: b connects now.
			if err := b.Connect(t.Context(), me.Addrs[0]); err != nil {
				t.Errorf("connect while a starts: %v", err)
			}
		}
		a, err = Open(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, 30*time.Second, "b sees a in every room", func() bool {
			for _, id := range ids {
				members, err := b.Members(id)
				if err != nil || len(members) < 2 || !members[0].Online || !members[1].Online {
					return false
				}
			}
			return true
		})
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
