package p2p

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"

	ws "github.com/gorilla/websocket"
	"github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// How secure WebSocket dials find their way out (SetProxy). QUIC and TCP
// never go through a proxy: a network that has one lets out little else,
// and WSS to a helper's port 443 is what gets through it.
const (
	// ProxySystem uses the proxy the environment names: HTTPS_PROXY (or
	// https_proxy, or ALL_PROXY's http form), minus NO_PROXY.
	ProxySystem = "system"
	// ProxyNone dials directly.
	ProxyNone = "none"
	// ProxyManual uses the one proxy given, http:// (CONNECT) or socks5://.
	ProxyManual = "manual"
)

// Proxy is the proxy setting. Its URL may hold credentials: it is shown
// and logged only through Redacted.
type Proxy struct {
	Mode string
	URL  *url.URL // ProxyManual only
}

// Errors of ParseProxy, fit for a user.
var (
	ErrProxyMode = errors.New("choose how Parley reaches the internet: system, none or manual")
	ErrProxyURL  = errors.New("give the proxy as http://host:port or socks5://host:port")
)

// ParseProxy checks a proxy setting: a mode, and for ProxyManual a URL.
func ParseProxy(mode, raw string) (Proxy, error) {
	switch mode {
	case ProxySystem, ProxyNone:
		return Proxy{Mode: mode}, nil
	case ProxyManual:
	default:
		return Proxy{}, ErrProxyMode
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Port() == "" ||
		(u.Scheme != "http" && u.Scheme != "socks5") ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Proxy{}, ErrProxyURL
	}
	return Proxy{Mode: mode, URL: &url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}}, nil
}

// Redacted is the proxy's URL with no credentials: what Status and the log
// may show. "" when the mode has no URL.
func (p Proxy) Redacted() string {
	if p.URL == nil {
		return ""
	}
	return (&url.URL{Scheme: p.URL.Scheme, Host: p.URL.Host}).String()
}

// HasCredentials reports whether the URL carries a user name or password.
func (p Proxy) HasCredentials() bool { return p.URL != nil && p.URL.User != nil }

func (p Proxy) String() string {
	if p.URL == nil {
		return p.Mode
	}
	return fmt.Sprintf("%s %s", p.Mode, p.Redacted())
}

// The proxy is the process's: go-libp2p's WebSocket transport dials with a
// dialer that reads gorilla/websocket's default dialer's Proxy function at
// each dial. It is set here, once, to read the current setting.
var proxyNow = struct {
	sync.Mutex
	p Proxy
}{p: Proxy{Mode: ProxySystem}}

func init() { ws.DefaultDialer.Proxy = proxyFor }

// UseProxy makes every WSS dial from now on go out as p says.
func UseProxy(p Proxy) {
	proxyNow.Lock()
	proxyNow.p = p
	proxyNow.Unlock()
}

// CurrentProxy is the setting in use.
func CurrentProxy() Proxy {
	proxyNow.Lock()
	defer proxyNow.Unlock()
	return proxyNow.p
}

// proxyFor picks the proxy for one dial; req's URL is the https:// form of
// the wss:// address dialled.
func proxyFor(req *http.Request) (*url.URL, error) {
	p := CurrentProxy()
	switch p.Mode {
	case ProxyManual:
		return p.URL, nil
	case ProxyNone:
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}

// ProxyInUse is the proxy WSS dials to the internet go through now, nil
// if none: the manual one, or the one the environment names.
func ProxyInUse() *url.URL {
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "parley.invalid:443"}}
	u, err := proxyFor(req)
	if err != nil {
		return nil
	}
	return u
}

// proxyInUse reports whether WSS dials go through a proxy: then a direct
// QUIC or TCP dial is unlikely to get out, and WSS need not wait for it.
func proxyInUse() bool { return ProxyInUse() != nil }

// viaProxy reports whether a connection's remote address is the proxy's:
// a connection through a proxy has the proxy as its far end.
func viaProxy(remote multiaddr.Multiaddr) bool {
	u := ProxyInUse()
	if u == nil {
		return false
	}
	na, err := manet.ToNetAddr(remote[:min(2, len(remote))])
	if err != nil {
		return false
	}
	tcp, ok := na.(*net.TCPAddr)
	if !ok {
		return false
	}
	ip, err := netip.ParseAddr(u.Hostname())
	return err == nil && ip.Unmap() == tcp.AddrPort().Addr().Unmap() && u.Port() == strconv.Itoa(tcp.Port)
}
