// Command tollgate guards pull requests against software supply-chain
// attacks. See README.md and DESIGN.md.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/tollgate-dev/tollgate/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
