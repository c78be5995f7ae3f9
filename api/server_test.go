package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"parley/chat"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef"

func newTestServer(t *testing.T) (*httptest.Server, *chat.Service) {
	t.Helper()
	srv, svc := newTestNode(t, Options{Token: testToken})
	return srv, svc
}

// newTestNode starts a node (network off) and serves it, with opts and test
// assets, on 127.0.0.1.
func newTestNode(t *testing.T, opts Options) (*httptest.Server, *chat.Service) {
	t.Helper()
	svc := openTestService(t)
	assets := fstest.MapFS{
		"index.html":       {Data: []byte(`<!doctype html><title>Parley</title><script type="module" src="/assets/app.js"></script>`)},
		"assets/app.js":    {Data: []byte("console.log('parley')")},
		"assets/style.css": {Data: []byte("body{margin:0}")},
	}
	opts.Service, opts.Assets = svc, assets
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return srv, svc
}

// openTestService opens a node with the network off, on 127.0.0.1.
func openTestService(t *testing.T) *chat.Service {
	t.Helper()
	svc, err := chat.Open(t.Context(), chat.Options{DataDir: t.TempDir(), Network: "off", ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func post(t *testing.T, srv *httptest.Server, path, token, body string, header ...string) reply {
	t.Helper()
	r, _ := do(t, srv, http.MethodPost, path, token, body, header...)
	return r
}

// do sends any request and returns the decoded reply and its headers.
func do(t *testing.T, srv *httptest.Server, method, path, token, body string, header ...string) (reply, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	r := reply{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r, resp.Header
}

func TestRequestsAreCheckedAndTheNodeSurvives(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		name, path, token, body string
		header                  []string
		status                  int
		errorHas                string
	}{
		{"no token", "/api/Me", "", "[]", nil, 401, "token"},
		{"wrong token", "/api/Me", "not-the-token", "[]", nil, 401, "token"},
		{"malformed JSON", "/api/CreateRoom", testToken, `["unterminated`, nil, 400, "JSON array"},
		{"object instead of array", "/api/CreateRoom", testToken, `{"name":"x"}`, nil, 400, "JSON array"},
		{"too few arguments", "/api/JoinRoom", testToken, `["abc"]`, nil, 400, "takes 2 argument(s), not 1"},
		{"too many arguments", "/api/Me", testToken, `[1]`, nil, 400, "takes 0 argument(s), not 1"},
		{"wrong type", "/api/CreateRoom", testToken, `[42]`, nil, 400, "Argument 1 must be a string, not number"},
		{"null argument", "/api/CreateRoom", testToken, `[null]`, nil, 400, "Argument 1 is null"},
		{"wrong type for limit", "/api/History", testToken, `["a","","ten"]`, nil, 400, "Argument 3 must be a whole number"},
		{"unknown method", "/api/DropTables", testToken, `[]`, nil, 404, "no method \"DropTables\""},
		{"bad room ID", "/api/Send", testToken, `["zz","hi"]`, nil, 400, "neither an invite link nor a room ID"},
		{"a bare room ID", "/api/JoinRoom", testToken, `["` + strings.Repeat("ab", 32) + `","x"]`, nil, 403, "ask a member of the room for an invite link"},
		{"a link of the first version", "/api/JoinRoom", testToken, `["parley://join/CAESIKurq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urGgF4IiYAJAgBEiCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urqw",""]`, nil, 400, "ask a member for a new link"},
		{"empty room name", "/api/CreateRoom", testToken, `["  "]`, nil, 400, "80 for a room"},
		{"oversized body", "/api/CreateRoom", testToken, `["` + strings.Repeat("x", MaxBodySize) + `"]`, nil, 413, "over the limit"},
		{"foreign origin", "/api/Me", testToken, `[]`, []string{"Origin", "https://evil.example"}, 403, "another site"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, srv, tc.path, tc.token, tc.body, tc.header...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d (body %s)", r.status, tc.status, r.raw)
			}
			if msg, _ := r.body["error"].(string); !strings.Contains(msg, tc.errorHas) {
				t.Errorf("error %q does not mention %q", msg, tc.errorHas)
			}
			checkErrorAnswer(t, r)
		})
	}
	// After all that, the node still answers.
	if r := post(t, srv, "/api/Status", testToken, "[]"); r.status != 200 || r.body["network"] != "off" {
		t.Fatalf("Status after bad requests: %d %s", r.status, r.raw)
	}
}

func TestChatOverHTTPAndEventsOverWebSocket(t *testing.T) {
	srv, _ := newTestServer(t)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/events"
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + testToken}}})
	if err != nil {
		t.Fatalf("dial events: %v", err)
	}
	defer conn.CloseNow()

	room := post(t, srv, "/api/CreateRoom", testToken, `["café"]`)
	if room.status != 200 || room.body["name"] != "café" {
		t.Fatalf("CreateRoom: %d %s", room.status, room.raw)
	}
	id := room.body["id"].(string)
	sent := post(t, srv, "/api/Send", testToken, `["`+id+`","<b>hi</b> there"]`)
	if sent.status != 200 || sent.body["text"] != "<b>hi</b> there" {
		t.Fatalf("Send: %d %s", sent.status, sent.raw)
	}
	hist := post(t, srv, "/api/History", testToken, `["`+id+`","",50]`)
	if hist.status != 200 || !strings.Contains(hist.raw, sent.body["id"].(string)) {
		t.Fatalf("History: %d %s", hist.status, hist.raw)
	}
	jump := post(t, srv, "/api/HistoryAround", testToken, fmt.Sprintf(`["%s",%d,50]`, id, int64(sent.body["sentAt"].(float64))))
	if jump.status != 200 || jump.raw != hist.raw {
		t.Fatalf("HistoryAround the message's time: %d %s, want what History gave: %s", jump.status, jump.raw, hist.raw)
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no message event on the WebSocket: %v", err)
		}
		var e struct {
			Name string         `json:"name"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("event %s: %v", data, err)
		}
		if e.Name == chat.EventMessage && e.Data["id"] == sent.body["id"] {
			break
		}
	}
}

func TestWebSocketChecksTokenAndOrigin(t *testing.T) {
	srv, _ := newTestServer(t)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/events"
	tests := []struct {
		name   string
		header http.Header
		status int
	}{
		{"no token", http.Header{}, 401},
		{"foreign origin", http.Header{"Authorization": {"Bearer " + testToken}, "Origin": {"https://evil.example"}}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := websocket.Dial(t.Context(), wsURL, &websocket.DialOptions{HTTPHeader: tc.header})
			if err == nil {
				t.Fatal("upgrade accepted")
			}
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("response %v, want status %d", resp, tc.status)
			}
		})
	}
}

func TestLoginSetsAStrictHttpOnlyCookie(t *testing.T) {
	srv, _ := newTestServer(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(srv.URL + "/login?token=wrong")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong login: status %d, cookies %v", resp.StatusCode, resp.Cookies())
	}

	resp, err = client.Get(srv.URL + "/login?token=" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 {
		t.Fatalf("login: status %d, cookies %v", resp.StatusCode, cookies)
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Value != testToken {
		t.Errorf("cookie %+v is not HttpOnly + SameSite=Strict", c)
	}
	if want := "parley_token_" + port(t, srv.URL); c.Name != want {
		t.Errorf("cookie named %q, want %q", c.Name, want)
	}
	if c.Secure {
		t.Errorf("cookie %+v is Secure over plain HTTP: the browser would never send it back", c)
	}
	// The cookie alone authorises API calls.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/Me", strings.NewReader("[]"))
	req.AddCookie(c)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("call with the login cookie: status %d", resp.StatusCode)
	}
	// The UI itself is served without a token.
	resp, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET / = %d", resp.StatusCode)
	}
}

// port is the port of a test server's URL.
func port(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// callWith POSTs /api/Me from client and returns the status.
func callWith(t *testing.T, client *http.Client, base string, cookies ...*http.Cookie) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/Me", strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("call %s: %v", base, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Two nodes on one machine, one browser: browsers keep cookies per host,
// not per port, so each node's login must live under its own name.
func TestLoginsToTwoNodesOnOneHostStayApart(t *testing.T) {
	const tokenB = "fedcba9876543210fedcba9876543210fedcba9876543210"
	a, _ := newTestServer(t)
	b, _ := newTestNode(t, Options{Token: tokenB})

	// cookiejar, like a browser, ignores the port.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	login := func(srv *httptest.Server, token string) {
		t.Helper()
		resp, err := browser.Get(srv.URL + "/login?token=" + token)
		if err != nil {
			t.Fatalf("login to %s: %v", srv.URL, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 { // after the redirect to the UI
			t.Fatalf("login to %s: status %d", srv.URL, resp.StatusCode)
		}
	}

	login(a, testToken)
	bURL, _ := url.Parse(b.URL)
	if len(jar.Cookies(bURL)) == 0 {
		t.Fatal("the jar sends A's cookie to B on another port of the same host; the test needs it to")
	}
	if got := callWith(t, browser, b.URL); got != http.StatusUnauthorized {
		t.Errorf("B with only A's login: status %d, want 401", got)
	}
	login(b, tokenB)
	if got := callWith(t, browser, a.URL); got != 200 {
		t.Errorf("A after logging in to B too: status %d, want 200 (B's login replaced A's)", got)
	}
	if got := callWith(t, browser, b.URL); got != 200 {
		t.Errorf("B after logging in: status %d, want 200", got)
	}

	// A node reads only its own port's cookie, even one holding its token.
	other := &http.Cookie{Name: "parley_token_" + port(t, a.URL), Value: tokenB}
	if got := callWith(t, http.DefaultClient, b.URL, other); got != http.StatusUnauthorized {
		t.Errorf("B with its token in A's cookie: status %d, want 401", got)
	}
	own := &http.Cookie{Name: "parley_token_" + port(t, b.URL), Value: tokenB}
	if got := callWith(t, http.DefaultClient, b.URL, own); got != 200 {
		t.Errorf("B with its token in its own cookie: status %d, want 200", got)
	}
}

func TestTokenIsCreatedOnceAndPrivate(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreateToken(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadOrCreateToken(dir)
	if err != nil || second != first || len(first) != 64 {
		t.Fatalf("tokens %q, %q, %v", first, second, err)
	}
}

func FuzzRequestArgs(f *testing.F) {
	f.Add([]byte(`["room","",50]`))
	f.Add([]byte(`["room",1767225600000,50]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte(`["\ud800", 1e309, null]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		args, err := parseArgs(body)
		if err != nil {
			return
		}
		var room, before string
		var limit int
		if err := bind(args, &room, &before, &limit); err == nil && len(args) != 3 {
			t.Fatalf("bound %d arguments into 3", len(args))
		}
		var at int64
		if err := bind(args, &room, &at, &limit); err == nil && len(args) != 3 {
			t.Fatalf("bound %d arguments into 3", len(args))
		}
	})
}

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		name, method, path, token string
		status                    int
	}{
		{"web UI", http.MethodGet, "/", "", 200},
		{"script asset", http.MethodGet, "/assets/app.js", "", 200},
		{"style asset", http.MethodGet, "/assets/style.css", "", 200},
		{"missing asset", http.MethodGet, "/assets/nope.js", "", 404},
		{"API call", http.MethodPost, "/api/Me", testToken, 200},
		{"API call without token", http.MethodPost, "/api/Me", "", 401},
		{"unknown endpoint", http.MethodGet, "/api/a/b", testToken, 404},
		{"wrong HTTP method", http.MethodGet, "/api/Me", testToken, 405},
		{"login", http.MethodGet, "/login?token=wrong", "", 401},
	}
	// Each directive the UI's safety rests on, checked one by one.
	want := []string{
		"default-src 'self'",
		"script-src 'self'",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, h := do(t, srv, tc.method, tc.path, tc.token, "[]")
			if r.status != tc.status {
				t.Fatalf("status %d, want %d (%s)", r.status, tc.status, r.raw)
			}
			csp := h.Get("Content-Security-Policy")
			directives := map[string]bool{}
			for d := range strings.SplitSeq(csp, ";") {
				directives[strings.TrimSpace(d)] = true
			}
			for _, d := range want {
				if !directives[d] {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
				}
			}
			for d := range directives {
				fields := strings.Fields(d)
				if len(fields) == 0 || !slices.Contains([]string{"default-src", "script-src", "connect-src"}, fields[0]) {
					continue
				}
				for _, src := range fields[1:] {
					if slices.Contains([]string{"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "ws:", "wss:"}, src) {
						t.Errorf("%q allows %s", d, src)
					}
				}
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := h.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy %q", got)
			}
		})
	}
}

func TestCallsBehaveAsTheAPIDocSays(t *testing.T) {
	srv, svc := newTestServer(t)
	room, err := svc.CreateRoom("joined")
	if err != nil {
		t.Fatal(err)
	}
	notJoined := strings.Repeat("ab", 32)
	now := fmt.Sprint(time.Now().UnixMilli())

	// An address nobody answers on: a port just closed, a real peer ID.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := peer.IDFromPrivateKey(key)
	unreachable := fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", port, stranger)
	own := fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/p2p/%s", port, svc.Me().PeerID)

	mine, err := svc.Send(t.Context(), room.ID, "a message of mine")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := svc.Send(t.Context(), room.ID, "deleted soon")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Delete(t.Context(), room.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	unknown := strings.Repeat("cd", 32)

	tests := []struct {
		name, method, path, body string
		status                   int
		errorHas, allow          string
	}{
		{"null body", "POST", "/api/Me", `null`, 400, "JSON array", ""},
		{"null body with arguments expected", "POST", "/api/CreateRoom", ` null `, 400, "JSON array", ""},
		{"number body", "POST", "/api/Me", `1`, 400, "JSON array", ""},
		{"limit 0", "POST", "/api/History", `["` + room.ID + `","",0]`, 400, "the limit, must be between 1 and 500, not 0", ""},
		{"negative limit", "POST", "/api/HistoryAfter", `["` + room.ID + `","",-1]`, 400, "not -1", ""},
		{"limit 501", "POST", "/api/History", `["` + room.ID + `","",501]`, 400, "not 501", ""},
		{"limit 500", "POST", "/api/History", `["` + room.ID + `","",500]`, 200, "", ""},
		{"limit 1", "POST", "/api/HistoryAfter", `["` + room.ID + `","",1]`, 200, "", ""},
		{"History of a room not joined", "POST", "/api/History", `["` + notJoined + `","",50]`, 404, "not joined", ""},
		{"HistoryAround now", "POST", "/api/HistoryAround", `["` + room.ID + `",` + now + `,50]`, 200, "", ""},
		{"HistoryAround limit 0", "POST", "/api/HistoryAround", `["` + room.ID + `",` + now + `,0]`, 400, "the limit, must be between 1 and 500, not 0", ""},
		{"HistoryAround limit 501", "POST", "/api/HistoryAround", `["` + room.ID + `",` + now + `,501]`, 400, "not 501", ""},
		{"HistoryAround at a date as text", "POST", "/api/HistoryAround", `["` + room.ID + `","2026-01-01",50]`, 400, "Argument 2 must be a whole number, not string", ""},
		{"HistoryAround at a fraction of a millisecond", "POST", "/api/HistoryAround", `["` + room.ID + `",1.5,50]`, 400, "Argument 2 must be a whole number", ""},
		{"HistoryAround at a time beyond any number", "POST", "/api/HistoryAround", `["` + room.ID + `",1e400,50]`, 400, "Argument 2", ""},
		{"HistoryAround at null", "POST", "/api/HistoryAround", `["` + room.ID + `",null,50]`, 400, "Argument 2 is null", ""},
		{"HistoryAround before 1970", "POST", "/api/HistoryAround", `["` + room.ID + `",-1,50]`, 400, "from 1970 to the year 9999", ""},
		{"HistoryAround after the year 9999", "POST", "/api/HistoryAround", `["` + room.ID + `",253402300800000,50]`, 400, "from 1970 to the year 9999", ""},
		{"HistoryAround at the largest whole number", "POST", "/api/HistoryAround", `["` + room.ID + `",9223372036854775807,50]`, 400, "from 1970 to the year 9999", ""},
		{"HistoryAround of a room not joined", "POST", "/api/HistoryAround", `["` + notJoined + `",` + now + `,50]`, 404, "not joined", ""},
		{"HistoryAfter of a room not joined", "POST", "/api/HistoryAfter", `["` + notJoined + `","",50]`, 404, "not joined", ""},
		{"MessageCount of a room not joined", "POST", "/api/MessageCount", `["` + notJoined + `"]`, 404, "not joined", ""},
		{"MessageCount of a joined room", "POST", "/api/MessageCount", `["` + room.ID + `"]`, 200, "", ""},
		{"GET on a method", "GET", "/api/Me", ``, 405, "POST", "POST"},
		{"PUT on a method", "PUT", "/api/SetName", `["x"]`, 405, "POST", "POST"},
		{"DELETE on an unknown method", "DELETE", "/api/DropTables", ``, 405, "POST", "POST"},
		{"POST on the event stream", "POST", "/api/events", `[]`, 405, "GET", "GET"},
		{"POST on the web UI", "POST", "/", `[]`, 405, "GET", "GET, HEAD"},
		{"Connect to garbage", "POST", "/api/Connect", `["not a multiaddr"]`, 400, "not a whole peer address", ""},
		{"Connect without a peer ID", "POST", "/api/Connect", `["/ip4/127.0.0.1/tcp/4001"]`, 400, "not a whole peer address", ""},
		{"Connect to this node", "POST", "/api/Connect", `["` + own + `"]`, 400, "own address", ""},
		{"Connect to nobody", "POST", "/api/Connect", `["` + unreachable + `"]`, 502, "Could not connect", ""},
		{"React with two emoji", "POST", "/api/React", `["` + room.ID + `","` + mine.ID + `","👍👎"]`, 400, "single emoji", ""},
		{"React with one", "POST", "/api/React", `["` + room.ID + `","` + mine.ID + `","👍"]`, 200, "", ""},
		{"Edit an unknown message", "POST", "/api/Edit", `["` + room.ID + `","` + unknown + `","x"]`, 404, "not in this room", ""},
		{"Edit a deleted message", "POST", "/api/Edit", `["` + room.ID + `","` + gone.ID + `","x"]`, 409, "deleted", ""},
		{"Edit with nothing", "POST", "/api/Edit", `["` + room.ID + `","` + mine.ID + `"," "]`, 400, "empty", ""},
		{"Reply in a room not joined", "POST", "/api/Reply", `["` + notJoined + `","` + mine.ID + `","x"]`, 404, "not joined", ""},
		{"Search for nothing", "POST", "/api/Search", `["  ","",10]`, 400, "word to search for", ""},
		{"Search limit 201", "POST", "/api/Search", `["mine","",201]`, 400, "not 201", ""},
		{"Search a room not joined", "POST", "/api/Search", `["mine","` + notJoined + `",10]`, 404, "not joined", ""},
		{"Notify loudly", "POST", "/api/SetNotify", `["` + room.ID + `","loud"]`, 400, "all, mentions or none", ""},
		{"SetAway with a string", "POST", "/api/SetAway", `["yes"]`, 400, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, h := do(t, srv, tc.method, tc.path, testToken, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d (body %s)", r.status, tc.status, r.raw)
			}
			if msg, _ := r.body["error"].(string); !strings.Contains(msg, tc.errorHas) {
				t.Errorf("error %q does not mention %q", msg, tc.errorHas)
			}
			checkErrorAnswer(t, r)
			if got := h.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

// Only a message's author may edit or delete it: anyone else gets 403,
// and the message stays as written.
func TestChangingSomeoneElsesMessageIsForbidden(t *testing.T) {
	srv, svc := newTestServer(t)
	peer, err := chat.Open(t.Context(), chat.Options{DataDir: t.TempDir(), Network: "off", ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	room, err := svc.CreateRoom("shared")
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.Invite(t.Context(), room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := peer.JoinRoom(link, "shared"); err != nil {
		t.Fatal(err)
	}
	if err := peer.Connect(t.Context(), svc.Me().Addrs[0]); err != nil {
		t.Fatal(err)
	}
	var theirs chat.Message
	deadline := time.Now().Add(20 * time.Second)
	for {
		// Sent once the two share the room, so it goes out by gossip or sync.
		if theirs.ID == "" {
			if members, _ := peer.Members(room.ID); len(members) == 2 && members[0].Online && members[1].Online {
				if theirs, err = peer.Send(t.Context(), room.ID, "written by the peer"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if theirs.ID != "" {
			if h, _ := svc.History(room.ID, "", 10); len(h) == 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the peer's message did not arrive")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, method := range []string{"Edit", "Delete"} {
		body := `["` + room.ID + `","` + theirs.ID + `","mine now"]`
		if method == "Delete" {
			body = `["` + room.ID + `","` + theirs.ID + `"]`
		}
		r := post(t, srv, "/api/"+method, testToken, body)
		if r.status != http.StatusForbidden {
			t.Errorf("%s of someone else's message: status %d, want 403 (%s)", method, r.status, r.raw)
		}
	}
	if h, _ := svc.History(room.ID, "", 10); len(h) != 1 || h[0].Text != "written by the peer" || h[0].Deleted {
		t.Errorf("the message changed: %+v", h)
	}
}

// checkErrorAnswer checks a failed call's answer: a code for scripts, and
// one sentence for a person with no decoder or library text in it.
func checkErrorAnswer(t *testing.T, r reply) {
	t.Helper()
	if r.status < 400 {
		return
	}
	msg, _ := r.body["error"].(string)
	if code, _ := r.body["code"].(string); code == "" {
		t.Errorf("answer %s has no code", r.raw)
	}
	if !strings.HasSuffix(msg, ".") || strings.Contains(msg, ". ") {
		t.Errorf("error %q is not one sentence", msg)
	}
	for _, leak := range []string{"json:", "invalid character", "unexpected end", "multiaddr", "proto:", "bad request:", "failed to"} {
		if strings.Contains(msg, leak) {
			t.Errorf("error %q carries library text %q", msg, leak)
		}
	}
}
