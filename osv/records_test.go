package osv

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// The API fetches a record's aliases by id for their severity; an id the
// API does not know (a CVE it has no record for) is left out, not an error.
func TestClientRecords(t *testing.T) {
	db, err := LoadDB(context.Background(), buildTestDB(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string][]byte{}
	for id, v := range db.byID {
		raw[id], _ = json.Marshal(v)
	}
	srv := httptest.NewServer(&fakeOSV{db: db, raw: raw, pageSize: 10})
	defer srv.Close()
	c := NewClient(ClientOptions{BaseURL: srv.URL})
	got, err := c.Records(context.Background(), []string{"GHSA-T-3", "CVE-2099-404", "../etc/passwd"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["GHSA-T-3"] == nil || got["GHSA-T-3"].Summary != "Open redirect in express" {
		t.Errorf("Records = %v", got)
	}
	if _, v := c.Calls(); v != 2 {
		t.Errorf("%d record requests, want 2 (the unsafe id is never sent)", v)
	}
}
