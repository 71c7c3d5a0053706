package unreadable

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles"
	"github.com/tollgate-dev/tollgate/scanner"
)

func TestCheck(t *testing.T) {
	inv := &lockfiles.Inventory{Errors: []*lockfiles.FileError{
		{Path: "web/yarn.lock", Err: lockfiles.Errorf("web/yarn.lock", 12, "bad entry")},
		{Path: "big/package-lock.json", Err: lockfiles.LimitErrorf("big/package-lock.json", 0, "file too large")},
	}}
	fs, skipped, err := Check{}.Run(context.Background(), &scanner.Input{Inventory: inv})
	if err != nil || len(fs) != 2 {
		t.Fatal(err, fs)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "2 lockfile(s) could not be read") || !strings.Contains(skipped[0].Reason, "web/yarn.lock, big/package-lock.json") {
		t.Errorf("skipped %+v", skipped)
	}
	if _, skipped, _ := (Check{}).Run(context.Background(), &scanner.Input{Inventory: &lockfiles.Inventory{}}); len(skipped) != 0 {
		t.Errorf("nothing unreadable, skipped %+v", skipped)
	}
	if fs[0].Line != 12 || fs[0].RuleID != RuleUnreadableLockfile || !strings.Contains(fs[0].Message, "web/yarn.lock:12") || fs[1].Line != 0 {
		t.Errorf("findings %+v", fs)
	}
}
