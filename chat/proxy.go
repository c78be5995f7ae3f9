package chat

import (
	"errors"

	"parley/p2p"
	"parley/settings"
)

// ProxySetting is how secure WebSocket dials to helpers go out, as Status
// shows it: never with the URL's credentials.
type ProxySetting struct {
	// Mode is "system" (HTTPS_PROXY from the environment), "none" or
	// "manual".
	Mode string `json:"mode"`
	// URL is the proxy, http://host:port or socks5://host:port, without
	// user name or password: the manual one, or for "system" the one the
	// environment names ("" if none).
	URL string `json:"url"`
	// Credentials is true when the saved URL has a user name or password.
	Credentials bool `json:"credentials"`
}

// proxySetting shows p; for the system's setting, the proxy the
// environment names, if any.
func proxySetting(p p2p.Proxy) ProxySetting {
	if p.Mode == p2p.ProxySystem {
		p.URL = p2p.ProxyInUse()
	}
	return ProxySetting{Mode: p.Mode, URL: p.Redacted(), Credentials: p.HasCredentials()}
}

// SetProxy sets and saves how the node reaches helpers over HTTPS: mode
// "system", "none" or "manual" with url (http:// or socks5://, credentials
// allowed). It applies to the next dial.
func (s *Service) SetProxy(mode, url string) (ProxySetting, error) {
	p, err := p2p.ParseProxy(mode, url)
	if err != nil {
		return ProxySetting{}, err
	}
	saved := settings.Network{Proxy: settings.Proxy{Mode: p.Mode}}
	if p.URL != nil {
		saved.Proxy.URL = p.URL.String()
	}
	if err := saved.Save(s.dir.Path); err != nil {
		return ProxySetting{}, err
	}
	p2p.UseProxy(p)
	s.log.Info("proxy set", "proxy", p.String(), "credentials", p.HasCredentials())
	s.bus.publish(Event{Name: EventStatus})
	return proxySetting(p), nil
}

// loadProxy puts the saved proxy setting in use before the network starts;
// an unusable one is logged and the system's is used.
func (s *Service) loadProxy() {
	saved, err := settings.LoadNetwork(s.dir.Path)
	if err == nil && saved.Proxy.Mode == "" {
		p2p.UseProxy(p2p.Proxy{Mode: p2p.ProxySystem})
		return
	}
	p, perr := p2p.ParseProxy(saved.Proxy.Mode, saved.Proxy.URL)
	if err = errors.Join(err, perr); err != nil {
		s.log.Warn("saved proxy setting not used; using the system's", "err", err)
		p = p2p.Proxy{Mode: p2p.ProxySystem}
	}
	p2p.UseProxy(p)
	s.log.Info("proxy", "proxy", p.String(), "credentials", p.HasCredentials())
}
