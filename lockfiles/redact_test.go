package lockfiles

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

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
		// Credentials in a query or fragment: signed and token download URLs.
		{"https://host/x.tgz?token=abc123&v=2", "https://host/x.tgz?token=REDACTED&v=2"},
		{"https://bucket.s3.example/x.whl?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef&X-Amz-Expires=60", "https://bucket.s3.example/x.whl?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Expires=60"},
		{"https://gitlab.example/api/v4/x.tgz#private_token=glpat-123", "https://gitlab.example/api/v4/x.tgz#private_token=REDACTED"},
		{"https://ci:tok@host/x.tgz?access_token=t", "https://ci:REDACTED@host/x.tgz?access_token=REDACTED"},
		// Hashes in fragments and ordinary parameters stay.
		{"https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#0123456789abcdef0123456789abcdef01234567", "https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#0123456789abcdef0123456789abcdef01234567"},
		{"https://files.example/p.whl#sha256=abc", "https://files.example/p.whl#sha256=abc"},
		{"https://host/x?keyword=1&tokenizer=2", "https://host/x?keyword=1&tokenizer=2"},
		{"github:o/r?token=x", "github:o/r?token=x"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseFileRedactsCredentials(t *testing.T) {
	fsys := fstest.MapFS{"a.lines": {Data: []byte("x 1\n")}}
	pkgs, err := ParseFile(context.Background(), fsys, "a.lines", credParser{}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	p := pkgs[0]
	if strings.Contains(p.Resolved, "s3cr3t") || strings.Contains(p.PURL, "s3cr3t") {
		t.Errorf("credentials kept: %+v", p)
	}
	if !strings.Contains(p.PURL, "download_url=") || !strings.Contains(p.Resolved, "npm.acme.example") {
		t.Errorf("too much removed: %+v", p)
	}
}

// credParser returns one package whose URLs carry a token.
type credParser struct{ lineParser }

func (credParser) Parse(context.Context, *Input) ([]Package, error) {
	u := "https://ci:s3cr3tT0kenValue@npm.acme.example/x/-/x-1.0.0.tgz" // tollgate:allow (test value)
	return []Package{{Ecosystem: EcosystemNPM, Name: "x", Version: "1.0.0", Line: 1, Resolved: u,
		PURL: PURL(EcosystemNPM, "x", "1.0.0", map[string]string{"download_url": u})}}, nil
}
