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
}

// New builds the server's routes.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, methods: methods(opts.Service), log: opts.Logger.With("component", "api"), mux: http.NewServeMux()}
	// Patterns without an HTTP method, so a request with the wrong one gets
	// a JSON 405 with an Allow header from the handler, not the mux's text.
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
			notAllowed(w, http.MethodGet, "the event stream is GET /api/events, a WebSocket upgrade")
			return
		}
		s.authed(s.handleEvents)(w, r)
		return
	}
	if r.Method != http.MethodPost {
		notAllowed(w, http.MethodPost, "API calls are POST /api/<Method> with a JSON array of arguments")
		return
	}
	s.authed(s.handleCall)(w, r)
}

func (s *Server) handleUnknown(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "no such endpoint: API calls are POST /api/<Method>, events GET /api/events")
}

// handleStatic serves the built frontend.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		notAllowed(w, "GET, HEAD", "the web UI is read with GET")
		return
	}
	if s.opts.Assets == nil {
		writeError(w, http.StatusNotFound, "this node serves no web UI")
		return
	}
	http.FileServerFS(s.opts.Assets).ServeHTTP(w, r)
}

func notAllowed(w http.ResponseWriter, allow, msg string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "method not allowed: "+msg)
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
			writeError(w, http.StatusUnauthorized, "missing or wrong API token")
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
		writeError(w, http.StatusForbidden, "cross-origin request refused")
		return
	}
	name := r.PathValue("method")
	call, ok := s.methods[name]
	if !ok {
		writeError(w, http.StatusNotFound, "unknown method "+strconvQuote(name))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body over the limit")
			return
		}
		writeError(w, http.StatusBadRequest, "read request body: "+err.Error())
		return
	}
	args, err := parseArgs(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	result, err := call(r.Context(), args)
	if err != nil {
		status := statusOf(err)
		if status >= 500 {
			s.log.Error("call failed", "method", name, "err", err)
		}
		writeError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, result)
}

// statusOf maps an error to an HTTP status: the client's mistakes are 4xx.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errBadRequest),
		errors.Is(err, chat.ErrBadRoomID),
		errors.Is(err, chat.ErrBadInvite),
		errors.Is(err, chat.ErrEmptyMessage),
		errors.Is(err, chat.ErrTooLong),
		errors.Is(err, chat.ErrBadName),
		errors.Is(err, chat.ErrUnknownCursor),
		errors.Is(err, chat.ErrBadEmoji),
		errors.Is(err, chat.ErrBadQuery),
		errors.Is(err, chat.ErrBadNotify),
		errors.Is(err, chat.ErrBadPeerID),
		errors.Is(err, chat.ErrForgetSelf):
		return http.StatusBadRequest
	case errors.Is(err, chat.ErrNotAuthor), errors.Is(err, chat.ErrNeedInvite):
		return http.StatusForbidden
	case errors.Is(err, chat.ErrNotJoined), errors.Is(err, chat.ErrUnknownMessage):
		return http.StatusNotFound
	case errors.Is(err, chat.ErrMessageDeleted):
		return http.StatusConflict
	case errors.Is(err, chat.ErrConnect):
		return http.StatusBadGateway
	case errors.Is(err, chat.ErrBusy):
		return http.StatusServiceUnavailable
	case errors.Is(err, chat.ErrRoomFull):
		return http.StatusInsufficientStorage
	default:
		return http.StatusInternalServerError
	}
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
		writeError(w, http.StatusUnauthorized, "wrong login link: the token is the contents of the api-token file in the node's data dir")
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
		writeError(w, http.StatusForbidden, "cross-origin WebSocket refused")
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

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
