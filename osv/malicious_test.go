package osv

import (
	"encoding/json"
	"testing"
)

// Records of each shape feeds use to say "malware", written here: every one
// must be a malicious-package record, and near misses must not.
func TestIsMaliciousAnyFeed(t *testing.T) {
	tests := []struct {
		name, record string
		want         bool
	}{
		{"MAL id", `{"id":"MAL-2024-1"}`, true},
		{"MAL alias", `{"id":"GHSA-aaaa-bbbb-cccc","aliases":["MAL-2024-2"]}`, true},
		{"GitHub cwe_ids", `{"id":"GHSA-pjwm-rvh2-c87w","database_specific":{"cwe_ids":["CWE-912","CWE-506"],"severity":"CRITICAL"}}`, true},
		{"cwe_ids lower case with spaces", `{"id":"GHSA-x","database_specific":{"cwe_ids":[" cwe-506 "]}}`, true},
		{"affected cwes objects", `{"id":"SNYK-JS-X-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"database_specific":{"cwes":[{"cweId":"CWE-506","name":"Embedded Malicious Code"}]}}]}`, true},
		{"record cwes objects", `{"id":"FEED-1","database_specific":{"cwes":[{"cweId":"CWE-506"}]}}`, true},
		{"OSSF summary", `{"id":"FEED-2","summary":"Malicious code in lodahs (npm)"}`, true},
		{"OSSF summary scoped", `{"id":"FEED-3","summary":"Malicious code in @acme/utils (npm)"}`, true},
		{"category malware", `{"id":"FEED-4","database_specific":{"category":"malware"}}`, true},
		{"type MALICIOUS_PACKAGE", `{"id":"FEED-5","database_specific":{"type":"MALICIOUS_PACKAGE"}}`, true},
		{"type list dependency confusion", `{"id":"FEED-6","database_specific":{"type":["vulnerability","dependency-confusion"]}}`, true},
		{"category malicious proof of concept", `{"id":"FEED-7","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"database_specific":{"category":"Malicious proof of concept"}}]}`, true},
		{"plain vulnerability", `{"id":"GHSA-y","summary":"Prototype pollution in lodash","database_specific":{"cwe_ids":["CWE-1321"],"severity":"HIGH"}}`, false},
		{"summary that only mentions malicious code", `{"id":"GHSA-z","summary":"Malicious code can be executed through template injection"}`, false},
		{"category not malware", `{"id":"FEED-8","database_specific":{"category":"non-malware"}}`, false},
		{"type vulnerability", `{"id":"FEED-9","database_specific":{"type":"vulnerability","cwes":[{"cweId":"CWE-79"}]}}`, false},
		{"cwes of another shape", `{"id":"FEED-10","database_specific":{"cwes":{"cweId":"CWE-506"}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Vuln
			if err := json.Unmarshal([]byte(tt.record), &v); err != nil {
				t.Fatal(err)
			}
			if got := v.IsMalicious(); got != tt.want {
				t.Errorf("IsMalicious = %v, want %v (decoded %+v)", got, tt.want, v)
			}
		})
	}
}
