package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		settings []debug.BuildSetting
		want     string
	}{
		{nil, "0.0.0+dev"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "be9f1732aa0e"}}, "0.0.0+gbe9f173"},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "be9f1732aa0e"}, {Key: "vcs.modified", Value: "true"}}, "0.0.0+gbe9f173.dirty"},
		{[]debug.BuildSetting{{Key: "vcs.modified", Value: "false"}, {Key: "vcs.revision", Value: "abc"}}, "0.0.0+gabc"},
	} {
		if got := fromBuildInfo(tc.settings); got != tc.want {
			t.Errorf("fromBuildInfo(%v) = %q, want %q", tc.settings, got, tc.want)
		}
	}
}

func TestStampedWins(t *testing.T) {
	if stamped != "" {
		t.Skip("this test binary was stamped")
	}
	stamped = "1.2.3+4.gabc"
	defer func() { stamped = "" }()
	if got := String(); got != "1.2.3+4.gabc" {
		t.Errorf("String() = %q with a stamp, want it", got)
	}
}
