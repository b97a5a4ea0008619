// Package secrets keeps the riders' keys and tokens in the system keyring and
// keeps them out of every log.
package secrets

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/zalando/go-keyring"
)

// Store keeps one secret per account ("intervals", "mywhoosh", "igpsport:cn").
type Store interface {
	// Get returns the account's secret, or an error matching ErrNotFound.
	Get(account string) (string, error)
	// Set stores the secret, replacing any earlier one.
	Set(account, secret string) error
	// Delete removes the secret; an error matching ErrNotFound when there was none.
	Delete(account string) error
}

// ErrNotFound says no secret is stored for the account. It wraps
// keyring.ErrNotFound so code that checks for either one works.
var ErrNotFound = fmt.Errorf("no key stored in the system keyring: %w", keyring.ErrNotFound)

func notFound(account string) error {
	return fmt.Errorf("%s: %w", account, ErrNotFound)
}

// checkAccount refuses names that would be ambiguous or unreadable in the
// keyring's own UI.
func checkAccount(account string) error {
	if strings.TrimSpace(account) == "" {
		return errors.New("secrets: empty account name")
	}
	for _, c := range account {
		if unicode.IsControl(c) {
			return fmt.Errorf("secrets: account name %q has a control character", account)
		}
	}
	return nil
}

// Memory keeps secrets in process memory. It is for --demo mode ONLY, where
// every account is one of the built-in sample services: it is never used for
// real accounts, because nothing in it is protected by the operating system
// and nothing in it survives a restart. The zero value is ready to use.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty Memory store (see Memory: demo mode only).
func NewMemory() *Memory { return &Memory{} }

// Get implements Store.
func (m *Memory) Get(account string) (string, error) {
	if err := checkAccount(account); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[account]
	if !ok {
		return "", notFound(account)
	}
	return s, nil
}

// Set implements Store.
func (m *Memory) Set(account, secret string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string]string)
	}
	m.m[account] = secret
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(account string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[account]; !ok {
		return notFound(account)
	}
	delete(m.m, account)
	return nil
}

// Redacting returns a Store that tells r about every secret it loads or
// stores, so that a secret is known to the loggers from the moment the app
// holds it, and forgotten once it is deleted.
func Redacting(s Store, r *Redactor) Store {
	return &redacting{s: s, r: r}
}

type redacting struct {
	s Store
	r *Redactor
}

func (x *redacting) Get(account string) (string, error) {
	v, err := x.s.Get(account)
	if err == nil {
		x.r.Add(v)
	}
	return v, err
}

func (x *redacting) Set(account, secret string) error {
	// Known before it is stored: a failing Set may log the value it was given.
	x.r.Add(secret)
	return x.s.Set(account, secret)
}

func (x *redacting) Delete(account string) error {
	old, getErr := x.s.Get(account)
	err := x.s.Delete(account)
	if err == nil && getErr == nil {
		x.r.Remove(old)
	}
	return err
}
