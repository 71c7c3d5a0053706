// Package all is the check registry: every check tollgate ships, in the
// order they are built and reported, and the check ids the config accepts.
// Adding a check is one new package under checks/ and one line here.
package all

import (
	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/checks/confusion"
	"github.com/tollgate-dev/tollgate/checks/content"
	"github.com/tollgate-dev/tollgate/checks/osv"
	"github.com/tollgate-dev/tollgate/checks/registry"
	"github.com/tollgate-dev/tollgate/checks/repojack"
	"github.com/tollgate-dev/tollgate/checks/secrets"
	"github.com/tollgate-dev/tollgate/checks/tamper"
	"github.com/tollgate-dev/tollgate/checks/typosquat"
	"github.com/tollgate-dev/tollgate/checks/unreadable"
)

// Registry returns a new list of every check. Ids without a constructor are
// reserved in the config (DESIGN.md's config contract) and reported as not
// built in this version.
func Registry() checks.Registry {
	return checks.Registry{
		unreadable.Entry(),
		secrets.Entry(),
		osv.Entry(),
		typosquat.Entry(),
		confusion.Entry(),
		tamper.Entry(),
		registry.Entry(),
		repojack.Entry(),
		content.Entry(),
	}
}

// IDs lists every check id the config accepts.
func IDs() []string { return Registry().IDs() }
