package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// event is one frame of /api/events, with the fields of a `message` event
// the harness reads.
type event struct {
	Name string `json:"name"`
	Data struct {
		Room string `json:"room"`
		Text string `json:"text"`
		Mine bool   `json:"mine"`
		// `arrived`: how many messages a batch added at once
		Count int `json:"count"`
	} `json:"data"`
}

// dialEvents opens the node's event WebSocket.
func dialEvents(ctx context.Context, c *client) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+"/api/events", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": []string{"Bearer " + c.token}},
	})
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	return conn, nil
}

// readEvents reads node nd's events until ctx ends or the socket fails,
// and hands every message of the room written by another member, with the
// time it arrived, to the ledger. `lagged` events are counted on the node.
// A batch too big to be announced message by message comes as one
// `arrived` event: the harness then reads the newest messages, as the UI
// reloads, and takes the event's time as theirs.
func readEvents(ctx context.Context, conn *websocket.Conn, nd *node, room string, l *ledger) {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				nd.wsErr.Store(err.Error())
			}
			return
		}
		at := l.clock.ns()
		var ev event
		if json.Unmarshal(data, &ev) != nil {
			continue
		}
		switch ev.Name {
		case "lagged":
			nd.lagged.Add(1)
		case "arrived":
			if ev.Data.Room != room {
				continue
			}
			nd.arrived.Add(1)
			if err := readArrived(ctx, nd, room, ev.Data.Count, at, l); err != nil && ctx.Err() == nil {
				nd.wsErr.Store("after arrived: " + err.Error())
			}
		case "message":
			if ev.Data.Mine || ev.Data.Room != room {
				continue
			}
			var m chatMsg
			if json.Unmarshal([]byte(ev.Data.Text), &m) != nil {
				continue // not a harness message (a room line)
			}
			l.received(nd.idx, m, at)
		}
	}
}

// arrivedScan bounds how far back the harness reads after an `arrived`
// event. A batch's messages sit among others in time order, as far back as
// the latency under load, but every read is work for the node under test:
// reading back 2,000 at 300 msg/s raised its CPU per delivery by a third
// and its p99 to seconds, so the harness reads one page.
const arrivedScan = 500

// readArrived reads node nd's newest messages of the room, back until it
// has found count it had not announced (or read arrivedScan), and records
// those as delivered at atNs. Messages whose own events are still queued
// on the socket count towards count too, so when latency runs to seconds
// the batch's older messages can lie further back: with l.scanAll it reads
// all of arrivedScan every time.
func readArrived(ctx context.Context, nd *node, room string, count int, atNs int64, l *ledger) error {
	found, scanned, before := 0, 0, ""
	for (found < count || l.scanAll) && scanned < arrivedScan {
		limit := min(500, max(count-found+64, 100))
		items, err := nd.api.history(ctx, room, before, limit)
		if err != nil {
			return err
		}
		for _, it := range items {
			var m chatMsg
			if !it.Mine && json.Unmarshal([]byte(it.Text), &m) == nil && l.fetched(nd.idx, m, atNs) {
				found++
			}
		}
		if len(items) < limit {
			return nil
		}
		scanned += len(items)
		before = items[0].ID
	}
	return nil
}
