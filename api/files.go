package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"parley/chat"
	"parley/files"
	"parley/lru"
	"parley/usererr"
)

// Files go by their own routes, their bytes as the body, never as JSON:
//
//	PUT /api/files/<roomId>?name=<file name>[&text=<caption>]  shares a file
//	GET /api/files/<hash>                                      reads one
//
// A peer's bytes never run in the window: only an image that decodes as
// PNG, JPEG, GIF or WebP goes out as its type; anything else goes out as
// application/octet-stream, to be saved, and every answer is sandboxed.
func (s *Server) handleFiles(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "crossOrigin", "Calls from another site's page are refused; open the node's own web UI.")
		return
	}
	s.authed(s.routeFile)(w, r)
}

func (s *Server) routeFile(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPut:
		s.putFile(w, r)
	case http.MethodGet, http.MethodHead:
		s.getFile(w, r)
	default:
		notAllowed(w, "GET, HEAD, PUT", "Files are shared with PUT /api/files/<roomId>?name=<name> and read with GET /api/files/<hash>.")
	}
}

// WindowFiles serves the file routes to the desktop window, through the
// window's own asset server: only the window's page reaches it, so it
// asks for no token, and file bytes never cross the bindings.
func WindowFiles(svc *chat.Service, log *slog.Logger) http.Handler {
	s := &Server{opts: Options{Service: svc}, log: log.With("component", "window-files"), imageVerdicts: newImageVerdicts()}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/files/{target}", s.routeFile)
	return mux
}

func (s *Server) putFile(w http.ResponseWriter, r *http.Request) {
	svc := s.opts.Service
	if limit := svc.MaxFileSize(); r.ContentLength > limit {
		writeAnswer(w, usererr.Of(&chat.FileTooLargeError{Size: r.ContentLength, Limit: limit}))
		return
	}
	q := r.URL.Query()
	msg, err := svc.SendFile(r.Context(), r.PathValue("target"), q.Get("name"), q.Get("text"), r.Body)
	if err != nil {
		s.refused("SendFile", err)
		writeAnswer(w, usererr.Of(err))
		return
	}
	writeJSON(w, http.StatusOK, msg)
}

// fileState is the answer for a file not complete here yet: 202.
type fileState struct {
	State string `json:"state"`
	Have  int64  `json:"have"`
	Size  int64  `json:"size"`
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	f, view, err := s.opts.Service.OpenFile(r.PathValue("target"))
	if errors.Is(err, chat.ErrFileNotHere) {
		writeJSON(w, http.StatusAccepted, fileState{State: view.State, Have: view.Have, Size: view.Size})
		return
	}
	if err != nil {
		s.refused("OpenFile", err)
		writeAnswer(w, usererr.Of(err))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if s.shownImage(view, f) {
		h.Set("Content-Type", view.Mime)
		h.Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(view.Name))
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(view.Name))
	}
	h.Set("Cache-Control", "private, max-age=31536000, immutable") // a hash names the bytes
	http.ServeContent(w, r, "", time.Time{}, f)
}

// shownImages are the types an image goes out as, once it decodes.
var shownImages = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// maxDecodedImage bounds the images decoded to be shown; bigger ones are
// offered for saving.
const maxDecodedImage = 64 << 20

// shownImage says whether a file goes out as the image it is: its type is
// one the window shows, and its bytes decode as one (judged once a file).
func (s *Server) shownImage(view chat.File, r io.ReadSeeker) bool {
	if !shownImages[strings.ToLower(view.Mime)] || view.Size > maxDecodedImage {
		return false
	}
	s.imagesMu.Lock()
	verdict, known := s.images.Get(view.Hash)
	s.imagesMu.Unlock()
	if known {
		return verdict
	}
	b, err := io.ReadAll(r)
	if _, serr := r.Seek(0, io.SeekStart); err != nil || serr != nil {
		return false
	}
	_, format, err := files.DecodeImage(b)
	verdict = err == nil && "image/"+format == strings.ToLower(view.Mime)
	s.imagesMu.Lock()
	s.images.Add(view.Hash, verdict, nil)
	s.imagesMu.Unlock()
	return verdict
}

// refused logs a call the service refused: an error of ours loudly, a
// person's mistake quietly.
func (s *Server) refused(name string, err error) {
	if usererr.Of(err) == usererr.Internal {
		s.log.Error("call failed", "method", name, "err", err)
	} else {
		s.log.Debug("call refused", "method", name, "err", err)
	}
}

type imageVerdicts struct {
	imagesMu sync.Mutex
	images   *lru.Map[string, bool]
}

func newImageVerdicts() imageVerdicts {
	return imageVerdicts{images: lru.New[string, bool](256, nil)}
}
