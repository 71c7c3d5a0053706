package all

import (
	"sync"

	"github.com/tollgate-dev/tollgate/registry"
)

// Set holds one run's registry clients, each built once on first use and
// memoised (registry.Memo), so that every check asking about the same
// package shares one request:
//   - Configured: the registries of the config (registries:, with their
//     credentials), where the lockfile's packages come from;
//   - Public: each registry's official public endpoint, without credentials,
//     which dependency confusion asks whatever the config names. A key the
//     config leaves at its default shares the configured client.
//
// It is safe for concurrent use.
type Set struct {
	cfg Config

	confOnce   sync.Once
	configured map[string]registry.Client
	confErr    error

	pubOnce sync.Once
	public  map[string]registry.Client
	pubErr  error
}

// NewSet returns a set building its clients from cfg.
func NewSet(cfg Config) *Set { return &Set{cfg: cfg} }

// Configured returns the configured registries' clients keyed by OSV
// ecosystem name (as New does).
func (s *Set) Configured() (map[string]registry.Client, error) {
	s.confOnce.Do(func() {
		clients, err := New(s.cfg)
		if err != nil {
			s.confErr = err
			return
		}
		for eco, c := range clients {
			clients[eco] = registry.Memo(c)
		}
		s.configured = clients
	})
	return s.configured, s.confErr
}

// Public returns clients of the public registries keyed by OSV ecosystem
// name.
func (s *Set) Public() (map[string]registry.Client, error) {
	s.pubOnce.Do(func() {
		configured, err := s.Configured()
		if err != nil {
			s.pubErr = err
			return
		}
		cfg := s.cfg
		cfg.Registries, cfg.Credentials = s.cfg.PublicRegistries, nil
		byKey, err := newByKey(cfg)
		if err != nil {
			s.pubErr = err
			return
		}
		clients := map[string]registry.Client{}
		for key, c := range byKey {
			eco := c.Ecosystem()
			if s.cfg.Registries[key] == s.cfg.PublicRegistries[key] && s.cfg.Credentials[key].IsZero() {
				clients[eco] = configured[eco]
				continue
			}
			clients[eco] = registry.Memo(c)
		}
		s.public = clients
	})
	return s.public, s.pubErr
}
