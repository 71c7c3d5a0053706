// Command scan runs the secrets engine directly over a directory and prints
// its matches as JSON lines (path, line, rule). The bench uses it when the
// tollgate CLI cannot run the secrets check yet.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tollgate-dev/tollgate/secrets"
)

func main() {
	all := flag.Bool("all", false, "scan vendored, generated and minified files too")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: scan [-all] DIR")
		os.Exit(2)
	}
	e, err := secrets.New(secrets.Options{ScanSkippable: *all})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	start := time.Now()
	res, err := e.ScanFS(context.Background(), os.DirFS(flag.Arg(0)))
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
