package npmlock_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/shareddata"
)

type osvDetails struct {
	Version      string            `json:"version"`
	Resolved     string            `json:"resolved"`
	Dev          bool              `json:"dev"`
	Optional     bool              `json:"optional"`
	Dependencies map[string]string `json:"dependencies"`
	Name         string            `json:"name"`
	Link         bool              `json:"link"`
	Integrity    string            `json:"integrity"`
}
type osvLock struct {
	Version  int                   `json:"lockfileVersion"`
	Packages map[string]osvDetails `json:"packages"`
}

func BenchmarkStdJSON(b *testing.B) {
	path := filepath.Join(shareddata.Path(b, "lockfiles", "npm-shrinkwrap-json", "firebase-firebase-tools"), "npm-shrinkwrap.json")
	data, _ := os.ReadFile(path)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var l osvLock
		if err := json.Unmarshal(data, &l); err != nil {
			b.Fatal(err)
		}
	}
}
