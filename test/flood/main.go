// Command flood drives the flood test (test/netns/flood.sh). Two modes:
//
//	flood publish  a dishonest member: given the room's invite link, it
//	               joins the room's topic as a libp2p peer with a key of its
//	               own, dials the members it is given, proves membership to
//	               each and publishes valid, signed text messages (the
//	               envelope and signature Parley uses) as fast as it can or at
//	               a given rate, then prints a JSON summary of what it
//	               published.
//	flood chat     the honest members: it sends text messages through the
//	               nodes' HTTP APIs in turn at a fixed total rate, first alone
//	               (baseline), then while the flooder floods, and measures how
//	               long each takes to reach every other node (event
//	               WebSockets), each node's RSS, and what each node holds in
//	               the end (History). Prints a JSON report.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: flood publish|chat [flags] (flood MODE -h for the flags)")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "publish":
		err = runPublish(os.Args[2:])
	case "chat":
		err = runChat(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "flood: unknown mode %q (publish or chat)\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
}
