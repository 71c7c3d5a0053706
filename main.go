// Command tollgate guards pull requests against software supply-chain
// attacks. See README.md and DESIGN.md.
//
// In GitHub Actions (GITHUB_ACTIONS=true) with no arguments it runs as the
// Action; otherwise it is the CLI.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/tollgate-dev/tollgate/action"
	"github.com/tollgate-dev/tollgate/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	var code int
	if os.Getenv("GITHUB_ACTIONS") == "true" && len(os.Args) == 1 {
		code = action.Run(ctx, action.Env{})
	} else {
		code = cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	stop()
	os.Exit(code)
}
