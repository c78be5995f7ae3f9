// Command storerss measures the message store's memory: it writes N signed
// messages into a fresh store and reports the process's peak RSS, then does
// the same for a process that only reopens the store and pages through it.
// It prints one JSON object.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"parley/store"
	"parley/wire"
)

type result struct {
	Messages        int     `json:"messages"`
	TextBytes       int     `json:"textBytes"`
	WriteSeconds    float64 `json:"writeSeconds"`
	WritesPerSecond float64 `json:"writesPerSecond"`
	WritePeakRSSMiB float64 `json:"writePeakRssMiB"`
	ScanSeconds     float64 `json:"scanSeconds"`
	ScanPeakRSSMiB  float64 `json:"scanPeakRssMiB"`
}

func main() {
	n := flag.Int("n", 100_000, "messages to write")
	size := flag.Int("size", 300, "text bytes per message")
	scanDir := flag.String("scan", "", "internal: reopen this store, page through it and report")
	scanRoom := flag.String("room", "", "internal: the room to page through")
	flag.Parse()
	if *scanDir != "" {
		secs, err := scan(*scanDir, *scanRoom)
		if err != nil {
			fail(err)
		}
		fmt.Printf("%f %f\n", secs, peakRSSMiB())
		return
	}

	dir, err := os.MkdirTemp("", "parley-storerss-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	res := result{Messages: *n, TextBytes: *size}
	start := time.Now()
	room, err := write(dir, *n, *size)
	if err != nil {
		fail(err)
	}
	res.WriteSeconds = time.Since(start).Seconds()
	res.WritesPerSecond = float64(*n) / res.WriteSeconds
	res.WritePeakRSSMiB = peakRSSMiB()

	// A fresh process, so the write's peak does not hide the scan's.
	out, err := exec.Command(os.Args[0], "-scan", dir, "-room", room.String()).Output()
	if err != nil {
		fail(fmt.Errorf("scan process: %w", err))
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 {
		fail(fmt.Errorf("scan process printed %q", out))
	}
	res.ScanSeconds, _ = strconv.ParseFloat(fields[0], 64)
	res.ScanPeakRSSMiB, _ = strconv.ParseFloat(fields[1], 64)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		fail(err)
	}
}

// write stores n messages through concurrent writers, as a busy room would.
func write(dir string, n, size int) (wire.RoomID, error) {
	var room wire.RoomID
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return room, err
	}
	defer s.Close()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return room, err
	}
	if room, err = wire.NewRoomID(); err != nil {
		return room, err
	}
	text := strings.Repeat("x", size)
	const writers = 8
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := w; i < n; i += writers {
				m, err := wire.Sign(key, wire.Draft{Room: room, Time: uint64(i + 1), Kind: wire.Kind_KIND_TEXT, Text: text})
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.Put(context.Background(), store.ItemOf(m)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			return room, err
		}
	}
	return room, nil
}

// scan reopens the store and pages through the room from the newest
// message back, the way a UI scrolls up.
func scan(dir, roomHex string) (float64, error) {
	room, err := wire.ParseRoomID(roomHex)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	var from store.Position
	for {
		page, err := s.Page(room, from, store.Before, 100)
		if err != nil {
			return 0, err
		}
		if len(page) == 0 {
			break
		}
		from = page[0].Position
	}
	return time.Since(start).Seconds(), nil
}

func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "storerss:", err)
	os.Exit(1)
}
