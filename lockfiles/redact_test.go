package lockfiles

import "testing"

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://registry.npmjs.org/a/-/a-1.0.0.tgz", "https://registry.npmjs.org/a/-/a-1.0.0.tgz"},
		{"https://ci:s3cr3tT0ken@npm.acme.example/a/-/a-1.0.0.tgz", "https://ci:REDACTED@npm.acme.example/a/-/a-1.0.0.tgz"},
		{"git+https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git#abc", "git+https://REDACTED@github.com/o/r.git#abc"},
		{"git+ssh://git@github.com/o/r.git#abc", "git+ssh://git@github.com/o/r.git#abc"},
		{"https://user_123456:x@host/p", "https://REDACTED@host/p"},
		{"npm:lodash@4.17.21", "npm:lodash@4.17.21"},
		{"github:o/r#v1", "github:o/r#v1"},
		{"name@workspace:packages/x", "name@workspace:packages/x"},
		{"lodash@https://host/x.tgz", "lodash@https://host/x.tgz"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
