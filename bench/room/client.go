package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// newHTTPClient is the one HTTP client for every node's API: keep-alive
// connections, enough idle ones per node for the Send workers.
func newHTTPClient(perHost int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConnsPerHost: perHost,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		Timeout: 60 * time.Second,
	}
}

// client calls one node's HTTP API: POST /api/<Method> with a JSON array of
// arguments and the node's bearer token.
type client struct {
	base  string // http://127.0.0.1:PORT
	token string
	hc    *http.Client
}

// call invokes method with args and decodes the result into out (nil:
// the result is read and dropped).
func (c *client) call(ctx context.Context, method string, out any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return c.post(ctx, method, b, out)
}

func (c *client) post(ctx context.Context, method string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: HTTP %d: %s", method, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	} else {
		err = json.NewDecoder(resp.Body).Decode(out)
	}
	if err != nil {
		return fmt.Errorf("%s: read reply: %w", method, err)
	}
	return nil
}

// me is the part of the Me result the harness uses.
type me struct {
	PeerID string   `json:"peerId"`
	Addrs  []string `json:"addrs"`
}

func (c *client) me(ctx context.Context) (me, error) {
	var m me
	err := c.call(ctx, "Me", &m)
	return m, err
}

func (c *client) connect(ctx context.Context, addr string) error {
	return c.call(ctx, "Connect", nil, addr)
}

// createRoom returns the new room's ID.
func (c *client) createRoom(ctx context.Context, name string, private bool) (string, error) {
	var r struct {
		ID string `json:"id"`
	}
	method := "CreateRoom"
	if private {
		method = "CreatePrivateRoom"
	}
	err := c.call(ctx, method, &r, name)
	return r.ID, err
}

// invite returns an invite link to a room the node is in.
func (c *client) invite(ctx context.Context, room string) (string, error) {
	var link string
	err := c.call(ctx, "Invite", &link, room)
	return link, err
}

// joinRoom joins the room of an invite link under the link's name; the
// node also dials the link's inviter (a no-op when connected already).
func (c *client) joinRoom(ctx context.Context, link string) error {
	return c.call(ctx, "JoinRoom", nil, link, "")
}

// onlineMembers counts the room's members other than this node that are online.
func (c *client) onlineMembers(ctx context.Context, room string) (int, error) {
	var ms []struct {
		Online bool `json:"online"`
		Me     bool `json:"me"`
	}
	if err := c.call(ctx, "Members", &ms, room); err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		if m.Online && !m.Me {
			n++
		}
	}
	return n, nil
}

func (c *client) messageCount(ctx context.Context, room string) (int, error) {
	var n int
	err := c.call(ctx, "MessageCount", &n, room)
	return n, err
}

// send posts one message; the result (the stored message) is dropped.
func (c *client) send(ctx context.Context, room, text string) error {
	b, err := json.Marshal([2]string{room, text})
	if err != nil {
		return fmt.Errorf("Send: %w", err)
	}
	return c.post(ctx, "Send", b, nil)
}

// historyItem is the part of a History result the harness uses.
type historyItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Mine bool   `json:"mine"`
}

// history returns up to limit messages of the room before the message
// `before` ("" for the newest), oldest first.
func (c *client) history(ctx context.Context, room, before string, limit int) ([]historyItem, error) {
	var items []historyItem
	err := c.call(ctx, "History", &items, room, before, limit)
	return items, err
}
