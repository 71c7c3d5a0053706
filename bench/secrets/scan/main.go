// Command scan runs the secrets engine directly over a directory and prints
// its matches as JSON lines (path, line, rule). The bench uses it when the
// tollgate CLI cannot run the secrets check yet.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/tollgate-dev/tollgate/secrets"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: scan DIR")
		os.Exit(2)
	}
	e, err := secrets.New(secrets.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	start := time.Now()
	res, err := e.ScanFS(context.Background(), os.DirFS(os.Args[1]))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, m := range res.Matches {
		if err := enc.Encode(map[string]any{"rule_id": m.RuleID, "path": m.Path, "line": m.Line}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
	fmt.Fprintf(os.Stderr, "scanned in %s: %d matches, %d too big, %d unreadable\n", time.Since(start), len(res.Matches), len(res.TooBig), len(res.Unreadable))
}
