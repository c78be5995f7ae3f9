package p2p

import "testing"

// Whether an invite made now can reach someone far away: off the internet
// and on a helper it is as good as it gets; a member with helpers but no
// relay yet is still finding its way in; one with no helper never will.
func TestWayInSaysWhyALinkIsNotReady(t *testing.T) {
	helper := newInternetNode(t, true)
	cases := []struct {
		name  string
		node  *Node
		ready bool
		why   string
	}{
		{"off the internet", newTestNode(t, ModeOff), true, ""},
		{"a helper", helper, true, ""},
		{"a member with a helper, no relay yet", newInternetNode(t, false, info(helper)), false, WayInFinding},
		{"a member with no helper", newInternetNode(t, false), false, WayInNoHelpers},
	}
	for _, c := range cases {
		if ready, why := c.node.WayIn(); ready != c.ready || why != c.why {
			t.Errorf("%s: WayIn() = %v, %q; want %v, %q", c.name, ready, why, c.ready, c.why)
		}
	}
}
