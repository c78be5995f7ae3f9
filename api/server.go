// Package api serves chat.Service over HTTP and WebSocket for headless nodes,
// and serves the built frontend so the same UI runs in a browser.
package api

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"

	"parley/chat"
	"parley/usererr"
)

// MaxBodySize bounds a request body: a 16 KiB message escaped as JSON fits
// several times over.
const MaxBodySize = 256 << 10

// cookiePrefix begins the name of the cookie that holds the token for
// browsers, set by /login; the node's port ends it (cookieName).
const cookiePrefix = "parley_token"

// Options configures a Server.
type Options struct {
	Service *chat.Service
	// Token is the secret every request must carry.
	Token string
	// Assets is the built frontend (index.html at its root); nil serves none.
	Assets fs.FS
	// TLS, if set, makes Serve answer HTTPS only (see LoadTLS); nil serves
	// plain HTTP.
	TLS *tls.Config
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
}

// Server is the HTTP API of one node.
type Server struct {
	opts    Options
	methods map[string]method
	log     *slog.Logger
	mux     *http.ServeMux
	imageVerdicts
}

// New builds the server's routes.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, methods: methods(opts.Service), log: opts.Logger.With("component", "api"), mux: http.NewServeMux(), imageVerdicts: newImageVerdicts()}
	// Patterns without an HTTP method, so a request with the wrong one gets
	// a JSON 405 with an Allow header from the handler, not the mux's text.
	s.mux.HandleFunc("/api/files/{target}", s.handleFiles)
	s.mux.HandleFunc("/api/{method}", s.handleAPI)
	s.mux.HandleFunc("/api/", s.handleUnknown)
	s.mux.HandleFunc("/login", s.handleLogin)
	s.mux.HandleFunc("/", s.handleStatic)
	return s
}

// ContentSecurityPolicy goes with every response. The UI loads scripts,
// styles and images from this node only, connects (HTTP and WebSocket) to
// this node only, runs no inline script and no eval, and may not be framed.
// frontend/index.html carries a policy for the desktop window too.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'none'"

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// handleAPI routes /api/<Method>: POST calls the method and GET /api/events
// opens the event stream; any other HTTP method gets 405.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("method") == "events" {
		if r.Method != http.MethodGet {
			notAllowed(w, http.MethodGet, "The event stream is GET /api/events, a WebSocket upgrade.")
			return
		}
		s.authed(s.handleEvents)(w, r)
		return
	}
	if r.Method != http.MethodPost {
		notAllowed(w, http.MethodPost, "API calls are POST /api/<Method> with a JSON array of arguments.")
		return
	}
	s.authed(s.handleCall)(w, r)
}

func (s *Server) handleUnknown(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "notFound", "There is nothing here: API calls are POST /api/<Method>, events GET /api/events.")
}

// handleStatic serves the built frontend.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		notAllowed(w, "GET, HEAD", "The web UI is read with GET.")
		return
	}
	if s.opts.Assets == nil {
		writeError(w, http.StatusNotFound, "noWebUI", "This node was built without its web UI; the API still answers at /api/.")
		return
	}
	http.FileServerFS(s.opts.Assets).ServeHTTP(w, r)
}

func notAllowed(w http.ResponseWriter, allow, msg string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "methodNotAllowed", msg)
}

// Serve answers on ln until ctx ends, then shuts down gracefully. With
// Options.TLS it speaks HTTPS only.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	serve := func() error { return srv.Serve(ln) }
	if s.opts.TLS != nil {
		srv.TLSConfig = s.opts.TLS.Clone()
		serve = func() error { return srv.ServeTLS(ln, "", "") }
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		done <- srv.Shutdown(shutCtx)
	}()
	if err := serve(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}

// authed lets a request through only with the token, as a bearer header or
// the login cookie.
func (s *Server) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.validToken(tokenOf(r)) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "The API token is missing or wrong; open the login link the node printed, or send the api-token file's contents as a Bearer token.")
			return
		}
		next(w, r)
	}
}

func tokenOf(r *http.Request) string {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(auth)
	}
	if c, err := r.Cookie(cookieName(r)); err == nil {
		return c.Value
	}
	return ""
}

// cookieName is the login cookie's name for the port the request came in
// on: parley_token_7001 on port 7001. Browsers keep cookies per host, not
// per port, so two nodes on one machine need two names, or a login to one
// would overwrite the other's. The port is the node's own listening port
// (the connection's local address), so a proxy in front changes nothing.
func cookieName(r *http.Request) string {
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			return cookiePrefix + "_" + port
		}
	}
	return cookiePrefix
}

func (s *Server) validToken(t string) bool {
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.opts.Token)) == 1
}

// sameOrigin rejects browser requests made by another site's page. Clients
// that send no Origin (curl, scripts) are let through: they hold the token.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func (s *Server) handleCall(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "crossOrigin", "Calls from another site's page are refused; open the node's own web UI.")
		return
	}
	name := r.PathValue("method")
	call, ok := s.methods[name]
	if !ok {
		writeError(w, http.StatusNotFound, "noSuchMethod", "There is no method "+strconvQuote(name)+"; docs/API.md lists them.")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "tooLarge", "The request body is over the limit; send less at once.")
			return
		}
		writeError(w, http.StatusBadRequest, "badArgs", "The request body could not be read; send it again.")
		return
	}
	args, err := parseArgs(body)
	if err != nil {
		writeAnswer(w, usererr.Of(err))
		return
	}
	result, err := call(r.Context(), args)
	if err != nil {
		s.refused(name, err)
		writeAnswer(w, usererr.Of(err))
		return
	}
	writeJSON(w, http.StatusOK, result)
}

// handleLogin trades the token in a link for a cookie, so the browser UI
// can call the API without the token in its URL or code.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		notAllowed(w, http.MethodGet, "the login link is opened with GET")
		return
	}
	token := r.URL.Query().Get("token")
	if !s.validToken(token) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "That login link is wrong; its token is the contents of the api-token file in the node's data dir.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(r), Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleEvents streams service events as WebSocket text frames of
// {"name", "data"}. Upgrades from another site's page are refused.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "crossOrigin", "Event streams for another site's page are refused; open the node's own web UI.")
		return
	}
	// Subscribe before the upgrade completes: once the client sees the
	// socket open, no event may slip past it.
	events, stop := s.opts.Service.Subscribe()
	defer stop()
	conn, err := websocket.Accept(w, r, nil) // nil options: same-origin check on
	if err != nil {
		return // Accept has answered the request
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context()) // we only write; this notices the close
	for {
		select {
		case e, ok := <-events:
			if !ok {
				conn.Close(websocket.StatusGoingAway, "node stopping")
				return
			}
			data, err := json.Marshal(e)
			if err != nil {
				s.log.Error("encode event failed", "event", e.Name, "err", err)
				continue
			}
			writeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = conn.Write(writeCtx, websocket.MessageText, data)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeAnswer answers a failed request: {"error": sentence, "code": word}.
func writeAnswer(w http.ResponseWriter, a usererr.Answer) { writeJSON(w, a.Status, a) }

// writeError answers a request the API itself refuses, with a code of its
// own and a sentence for a person.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeAnswer(w, usererr.Answer{Code: code, Message: msg, Status: status})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
