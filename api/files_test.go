package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"parley/chat"
)

// getRaw reads a file's bytes and headers.
func getRaw(t *testing.T, base, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// A file shared with PUT comes back with GET, whole or by range; an image
// goes out as itself, anything else (an SVG too) only to be saved.
func TestFilesGoUpAndComeBackSafely(t *testing.T) {
	srv, svc := newTestServer(t)
	room, err := svc.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	put := func(name, caption string, body []byte) reply {
		t.Helper()
		r, _ := do(t, srv, http.MethodPut, "/api/files/"+room.ID+"?name="+url.QueryEscape(name)+"&text="+url.QueryEscape(caption), testToken, string(body))
		return r
	}
	hashOf := func(r reply) string {
		t.Helper()
		file, _ := r.body["file"].(map[string]any)
		hash, _ := file["hash"].(string)
		if r.status != http.StatusOK || r.body["kind"] != "file" || hash == "" {
			t.Fatalf("PUT answered %d %s", r.status, r.raw)
		}
		return hash
	}

	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 300<<10)...)
	hash := hashOf(put("report.pdf", "the figures", pdf))
	resp, got := getRaw(t, srv.URL, "/api/files/"+hash)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, pdf) {
		t.Fatalf("GET answered %d with %d bytes", resp.StatusCode, len(got))
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/octet-stream" || !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("a PDF goes out as %q, %q; want it offered for saving", ct, cd)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("no sandbox: %q", csp)
	}
	resp, part := getRaw(t, srv.URL, "/api/files/"+hash, "Range", "bytes=5-14")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, pdf[5:15]) {
		t.Errorf("a range answered %d: %q", resp.StatusCode, part)
	}

	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	var pngBytes bytes.Buffer
	if err := png.Encode(&pngBytes, img); err != nil {
		t.Fatal(err)
	}
	shared := put("dot.png", "", pngBytes.Bytes())
	if file, _ := shared.body["file"].(map[string]any); file["width"] != float64(40) || !strings.HasPrefix(file["preview"].(string), "data:image/jpeg;base64,") {
		t.Errorf("an image shared: %v", file)
	}
	resp, _ = getRaw(t, srv.URL, "/api/files/"+hashOf(shared))
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("a PNG goes out as %q", ct)
	}

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)
	resp, _ = getRaw(t, srv.URL, "/api/files/"+hashOf(put("logo.svg", "", svg)))
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("an SVG goes out as %q; want it only saved, never drawn", ct)
	}

	for _, c := range []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"", pdf, http.StatusBadRequest, "badFileName"},
		{"a/b.txt", pdf, http.StatusBadRequest, "badFileName"},
		{"empty.txt", nil, http.StatusBadRequest, "emptyFile"},
	} {
		if r := put(c.name, "", c.body); r.status != c.status || r.body["code"] != c.code {
			t.Errorf("PUT %q: %d %s; want %d %s", c.name, r.status, r.raw, c.status, c.code)
		}
	}
	if r, _ := do(t, srv, http.MethodPut, "/api/files/"+strings.Repeat("0", 64)+"?name=a.txt", testToken, "x"); r.status != http.StatusNotFound {
		t.Errorf("a room not joined: %d %s", r.status, r.raw)
	}
	if r, _ := do(t, srv, http.MethodGet, "/api/files/"+strings.Repeat("ab", 32), testToken, ""); r.status != http.StatusNotFound || r.body["code"] != "unknownFile" {
		t.Errorf("a file no room shares: %d %s", r.status, r.raw)
	}
	if r, _ := do(t, srv, http.MethodGet, "/api/files/"+hash, "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("without the token: %d", r.status)
	}
}

// Over the limit, a file is refused from its Content-Length, before its
// bytes are sent, with the sentence the window shows.
func TestAFileOverTheLimitIsRefusedFirst(t *testing.T) {
	srv, svc := newTestServer(t)
	room, err := svc.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The headers alone: the answer must come without a byte of the body.
	fmt.Fprintf(conn, "PUT /api/files/%s?name=big.bin HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n",
		room.ID, srv.Listener.Addr(), testToken, 340<<20)
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "This file is 340 MB; the limit is 100 MB") {
		t.Errorf("answered %d %s", resp.StatusCode, b)
	}
}

// The window's own file routes ask for no token (only its page reaches
// them), and answer like the API's; storage limits and usage are calls.
func TestTheWindowReachesFilesWithoutAToken(t *testing.T) {
	svc := openTestService(t)
	room, err := svc.CreateRoom("files")
	if err != nil {
		t.Fatal(err)
	}
	win := httptest.NewServer(WindowFiles(svc, slog.New(slog.DiscardHandler)))
	t.Cleanup(win.Close)
	body := []byte("minutes of the meeting\n")
	req, err := http.NewRequest(http.MethodPut, win.URL+"/api/files/"+room.ID+"?name=minutes.txt", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var msg chat.Message
	err = json.NewDecoder(resp.Body).Decode(&msg)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || msg.File == nil {
		t.Fatalf("PUT answered %d, %v", resp.StatusCode, err)
	}
	got, err := http.Get(win.URL + "/api/files/" + msg.File.Hash)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || !bytes.Equal(b, body) || got.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("GET answered %d %q with %q", got.StatusCode, got.Header.Get("Content-Type"), b)
	}

	srv := httptest.NewServer(New(Options{Token: testToken, Service: svc}))
	t.Cleanup(srv.Close)
	if r, _ := do(t, srv, http.MethodPost, "/api/SetFileLimits", testToken, `[100, 200, 5120]`); r.status != http.StatusBadRequest || r.body["code"] != "badFileLimits" {
		t.Errorf("limits out of bounds answered %d %s", r.status, r.raw)
	}
	if r, _ := do(t, srv, http.MethodPost, "/api/SetFileLimits", testToken, `[200, 20, 1024]`); r.status != http.StatusOK || r.body["maxFileMiB"] != 200.0 {
		t.Errorf("limits answered %d %s", r.status, r.raw)
	}
	if r, _ := do(t, srv, http.MethodPost, "/api/FilesUsage", testToken, `[]`); r.status != http.StatusOK || r.body["used"] != float64(len(body)) || r.body["files"] != 1.0 || r.body["cap"] != float64(1024<<20) {
		t.Errorf("usage answered %d %s", r.status, r.raw)
	}
}
