// Package version says which Parley is running. Release builds stamp it
// from scripts/version:
//
//	go build -ldflags "-X parley/version.stamped=1.2.3" .
//
// A plain `go build` in a git checkout says which commit it was built from.
package version

import "runtime/debug"

// stamped is set by the linker; empty in an unstamped build.
var stamped string

// String is the running Parley's version, like 1.2.3, 1.2.3+5.gabc1234 or,
// unstamped, 0.0.0+gabc1234 (0.0.0+dev without VCS information).
func String() string {
	if stamped != "" {
		return stamped
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "0.0.0+dev"
	}
	return fromBuildInfo(info.Settings)
}

// fromBuildInfo names an unstamped build by the commit Go recorded in it.
func fromBuildInfo(settings []debug.BuildSetting) string {
	var revision, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "0.0.0+dev"
	}
	if len(revision) > 7 {
		revision = revision[:7]
	}
	v := "0.0.0+g" + revision
	if modified == "true" {
		v += ".dirty"
	}
	return v
}
