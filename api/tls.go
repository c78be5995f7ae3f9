package api

import (
	"crypto/tls"
	"fmt"
)

// LoadTLS reads a certificate (chain) and its private key, both PEM files,
// for Options.TLS. They are read once: after renewing them, restart the
// node.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load API certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
