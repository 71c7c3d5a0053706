// Package action runs tollgate as a GitHub Action: it reads the inputs and
// the event, scans what the event asks for (a pull request, a push, or a
// sweep), and reports through every channel GitHub offers: a SARIF file (and
// optionally its upload to code scanning), annotations, the job summary, a
// sticky pull-request comment and step outputs. What it cannot do (a fork's
// read-only token, a rate limit) becomes a note, never a failure.
package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/checks"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/diff"
	"github.com/tollgate-dev/tollgate/github"
	"github.com/tollgate-dev/tollgate/github/api"
	"github.com/tollgate-dev/tollgate/github/event"
	"github.com/tollgate-dev/tollgate/lockfiles/all"
	"github.com/tollgate-dev/tollgate/pipeline"
	"github.com/tollgate-dev/tollgate/report"
	"github.com/tollgate-dev/tollgate/sarif"
	"github.com/tollgate-dev/tollgate/scanner"
)

// Env is the world the Action runs in. The zero value of every field but
// Getenv means the real one.
type Env struct {
	// Getenv reads the environment (os.Getenv in production): inputs arrive as
	// INPUT_<NAME>, the run as GITHUB_*.
	Getenv func(string) string
	// Stdout is the step log (workflow commands go here); Stderr gets
	// diagnostics.
	Stdout, Stderr io.Writer
	// HTTPClient is used for every GitHub API call (tests pass an httptest
	// server's client).
	HTTPClient *http.Client
	// APIURL overrides GITHUB_API_URL.
	APIURL string
	// Now is the policy clock (ignore expiry); nil means time.Now.
	Now func() time.Time
	// MinBackoff overrides the first retry delay of API calls (tests).
	MinBackoff time.Duration
}

// inputs are the Action's inputs (action.yml), read; the policy inputs
// (fail-on, fail-on-skipped, checks, config, baseline, osv-db, osv-url) are
// parsed by pipeline.LoadPolicy, the same way as the CLI's flags.
type inputs struct {
	policy pipeline.PolicyRequest
	sarif  string
	// comment is when to create the sticky comment: always, on-findings
	// (the default), on-failure or never. An existing one is always kept up
	// to date unless never.
	comment  string
	upload   bool
	offline  bool
	verify   bool
	cacheDir string
	token    string
	category string
}

// run holds one Action run's state.
type run struct {
	env       Env
	cmds      *github.Commands
	in        inputs
	workspace string
	ev        *event.Event
	notes     []string
	// pushSweep: a push to the default branch, scanned as a full sweep.
	pushSweep bool
}

// Run runs the Action and returns the process exit code (pipeline.Exit*): 0 when
// nothing is at or above fail-on, 1 when something is, 2 for bad inputs or
// config, 3 when the inventory or the checks could not complete.
func Run(ctx context.Context, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	r := &run{env: env, cmds: github.NewCommands(env.Stdout, env.Getenv)}
	code, err := r.run(ctx)
	if err != nil {
		r.fail(err)
	}
	return code
}

// fail reports an error that stopped the run: an error annotation (on the
// config file's line when the config is at fault), the job summary and the
// outputs, so that the step's failure reads as what it is.
func (r *run) fail(err error) {
	a := github.Annotation{Level: github.LevelError, Title: "tollgate", Message: err.Error()}
	var ce *config.Error
	if errors.As(err, &ce) {
		a.File, a.Line = r.relative(ce.Path), ce.Line
	}
	_ = r.cmds.Annotate(a)
	kind := "could not run"
	if pipeline.IsUsage(err) {
		kind = "bad input or configuration"
	}
	summary := fmt.Sprintf("## ⚠️ tollgate: %s\n\n%s\n", kind, "```\n"+strings.ReplaceAll(err.Error(), "```", "ˋˋˋ")+"\n```")
	if e := r.cmds.AddSummary(summary); e != nil {
		fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", e)
	}
	result := scanner.OutcomeIncomplete
	_ = r.cmds.SetOutputs(map[string]string{"result": result, "findings": "0"})
	fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", err)
}

// relative turns an absolute path inside the workspace into a repository path
// (annotations name files relative to the repository root).
func (r *run) relative(p string) string {
	if r.workspace == "" || !filepath.IsAbs(p) {
		return filepath.ToSlash(p)
	}
	if rel, err := filepath.Rel(r.workspace, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(p)
}

func (r *run) run(ctx context.Context) (int, error) {
	started := time.Now()
	if err := r.readInputs(); err != nil {
		return pipeline.ExitUsage, err
	}
	ev, err := event.FromEnv(r.env.Getenv)
	if err != nil {
		return pipeline.ExitUsage, pipeline.Usagef("event: %w", err)
	}
	r.ev = ev
	var pushed *event.Event
	if ev.Kind == event.KindPush && ev.Name == "push" && ev.DefaultBranch != "" && ev.HeadRef == "refs/heads/"+ev.DefaultBranch {
		orig := *ev
		pushed = &orig
		// A push to the default branch is scanned as a full sweep of its new
		// tip and uploaded under the sweep's own category and ref: code
		// scanning closes the alerts an analysis of a category and ref no
		// longer holds, so a delta uploaded there would close every open
		// alert of the scheduled sweep. The default branch's alerts always
		// describe its whole tree.
		ev.Kind, ev.Base, ev.BaseRef, ev.MergeBase = event.KindSweep, "", "", false
		r.pushSweep = true
	}
	if ev.Kind == event.KindNone {
		msg := fmt.Sprintf("Nothing to scan: %s deletes %s.", ev.Name, ev.HeadRef)
		r.cmds.Log("tollgate: %s", msg)
		if err := r.cmds.AddSummary("## ✅ tollgate: nothing to scan\n\n" + msg + "\n"); err != nil {
			fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", err)
		}
		_ = r.cmds.SetOutputs(outputs(nil, "", scanner.OutcomePassed))
		return pipeline.ExitOK, nil
	}

	// One GitHub client for the run: the change set reads through it, the
	// comment and the SARIF upload use it. Its URL is the runner's own
	// (GITHUB_API_URL), never one a config names: the token goes only to
	// the GitHub it belongs to.
	apiURL := r.apiURL()
	client, err := api.New(api.Options{BaseURL: apiURL, Token: r.in.token, HTTPClient: r.env.HTTPClient, MinBackoff: r.env.MinBackoff})
	if err != nil {
		return pipeline.ExitUsage, pipeline.Usagef("%w", err)
	}
	cs, err := r.changeSet(ctx, client)
	if err != nil {
		return pipeline.ExitIncomplete, fmt.Errorf("read the change set: %w", err)
	}
	defer cs.Close()
	// A push to the default branch is swept whole, and its own commits are
	// still scanned for secrets added and removed again inside it.
	var pushCS *diff.ChangeSet
	var pushErr error
	if pushed != nil {
		if pushCS, pushErr = r.changeSetOf(ctx, client, pushed); pushErr == nil {
			defer pushCS.Close()
		}
	}

	// The policy comes from the base revision in pull-request mode: the
	// change under review never sets its own.
	preq := r.in.policy
	preq.ChangeSet = cs
	policy, err := pipeline.LoadPolicy(preq)
	if err != nil {
		return pipeline.ExitUsage, err
	}
	cfg := policy.Config
	cfg.Path = r.relative(cfg.Path)
	if err := sameAPI(cfg.GitHub.API, apiURL); err != nil {
		return pipeline.ExitUsage, pipeline.Usagef("config %s: %w", cfg.Path, err)
	}

	now := time.Time{}
	if r.env.Now != nil {
		now = r.env.Now()
	}
	sc, err := pipeline.RunScan(ctx, pipeline.ScanRequest{
		Policy:     policy,
		ChangeSet:  cs,
		CommitsOf:  pushCS,
		CommitsErr: pushErr,
		Dir:        r.workspace,
		Deps: checks.Deps{
			Offline:      r.in.offline,
			CacheDir:     r.in.cacheDir,
			HTTPClient:   r.env.HTTPClient,
			GitHubToken:  r.in.token,
			GitHubAPIURL: apiURL,
			UserAgent:    "tollgate/" + pipeline.Version,
			// config registry-auth names the variables holding registry
			// credentials (the workflow's env: from its secrets).
			Getenv: r.env.Getenv,
			// Live verification is opt-in and never runs on fork pull requests.
			VerifySecrets: r.in.verify,
			Fork:          ev.Fork,
			// Every secret found is registered with the runner (::add-mask::)
			// before anything is printed.
			Mask: r.cmds.Mask,
		},
		Now: now,
	})
	if err != nil {
		return pipeline.ExitCode(err), fmt.Errorf("scan: %w", err)
	}
	res := sc.Report

	sarifPath, sarifData := r.writeSARIF(res)
	annotations, hidden := github.SelectAnnotations(res.Findings, 0, 0)
	for _, a := range annotations {
		if err := r.cmds.Annotate(a); err != nil {
			fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", err)
			break
		}
	}
	view := r.view(cs)
	view.FailOn, view.Outcome, view.Incomplete = policy.FailOn, sc.Verdict.Outcome, sc.Verdict.Incomplete
	view.Hidden = github.HiddenLine(hidden)
	commentURL := r.comment(ctx, client, res, view)
	r.upload(ctx, client, sarifData, started)
	view.Notes = r.notes
	view.SARIFPath = sarifPath

	var log bytes.Buffer
	_ = report.Text(&log, res)
	for _, n := range r.notes {
		fmt.Fprintf(&log, "NOTE     %s\n", n)
	}
	if err := r.cmds.LogUntrusted(strings.TrimRight(log.String(), "\n")); err != nil {
		fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", err)
	}
	if err := r.cmds.AddSummary(github.Summary(res, view)); err != nil {
		fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", err)
	}
	outs := outputs(res.Findings, sarifPath, sc.Verdict.Outcome)
	outs["comment-url"] = commentURL
	if err := r.cmds.SetOutputs(outs); err != nil {
		fmt.Fprintf(r.env.Stderr, "tollgate: %v\n", err)
	}
	if sc.Verdict.Incomplete != "" {
		fmt.Fprintf(r.env.Stderr, "tollgate: scan incomplete: %s\n", sc.Verdict.Incomplete)
	}
	return sc.Verdict.Exit, nil
}

// outputs are the step outputs: counts per severity, the total, the SARIF
// path and the result.
func outputs(findings []scanner.Finding, sarifPath, outcome string) map[string]string {
	counts := report.Counts(findings)
	out := map[string]string{
		"findings": strconv.Itoa(len(findings)),
		"sarif":    sarifPath,
		"result":   outcome,
	}
	for _, sev := range []string{scanner.SeverityCritical, scanner.SeverityHigh, scanner.SeverityMedium, scanner.SeverityLow, scanner.SeverityInfo} {
		out[sev] = strconv.Itoa(counts[sev])
	}
	return out
}

func (r *run) readInputs() error {
	get := r.cmds.Input
	r.workspace = r.env.Getenv("GITHUB_WORKSPACE")
	if r.workspace == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("no GITHUB_WORKSPACE and no working directory: %w", err)
		}
		r.workspace = wd
	}
	in := inputs{
		policy: pipeline.PolicyRequest{
			Dir:           r.workspace,
			ConfigPath:    get("config"),
			BaselinePath:  get("baseline"),
			Checks:        get("checks"),
			FailOn:        get("fail-on"),
			FailOnSkipped: get("fail-on-skipped"),
			OSVDB:         get("osv-db"),
			OSVURL:        get("osv-url"),
		},
		sarif:    get("sarif"),
		cacheDir: get("cache-dir"),
		token:    get("token"),
		category: get("category"),
	}
	if in.token == "" {
		in.token = r.env.Getenv("GITHUB_TOKEN")
	}
	if in.category == "" {
		in.category = "tollgate"
	}
	if in.sarif == "" {
		in.sarif = "tollgate.sarif"
	}
	for _, b := range []struct {
		name string
		dst  *bool
		def  bool
	}{{"upload", &in.upload, false}, {"offline", &in.offline, false}, {"verify-secrets", &in.verify, false}} {
		v, err := pipeline.ParseBool(get(b.name), b.def)
		if err != nil {
			return pipeline.Usagef("input %s: %w", b.name, err)
		}
		*b.dst = v
	}
	mode, err := commentMode(get("comment"))
	if err != nil {
		return err
	}
	in.comment = mode
	// Paths in inputs are relative to the workspace.
	for _, p := range []*string{&in.policy.OSVDB, &in.cacheDir, &in.policy.ConfigPath, &in.policy.BaselinePath} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(r.workspace, filepath.FromSlash(*p))
		}
	}
	r.in = in
	return nil
}

// apiURL is the runner's GitHub API: GITHUB_API_URL (Env.APIURL in tests),
// else the public API.
func (r *run) apiURL() string {
	switch {
	case r.env.APIURL != "":
		return r.env.APIURL
	case r.env.Getenv("GITHUB_API_URL") != "":
		return r.env.Getenv("GITHUB_API_URL")
	}
	return api.DefaultAPIURL
}

// sameAPI accepts a config's github.api only when it names the runner's own
// API host (scheme, host and port): the Action's token is never sent
// anywhere else, whatever a config says.
func sameAPI(configured, runner string) error {
	if configured == "" {
		return nil
	}
	c, err1 := url.Parse(configured)
	r, err2 := url.Parse(runner)
	if err1 != nil || err2 != nil || !strings.EqualFold(c.Scheme, r.Scheme) || !strings.EqualFold(c.Host, r.Host) {
		return fmt.Errorf("github.api names %s, not the runner's GitHub API (%s): refused, the token is sent only to GITHUB_API_URL", hostOf(configured), hostOf(runner))
	}
	return nil
}

// hostOf names a URL's scheme and host for messages (never its user
// information or query).
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "an unparsable URL"
	}
	return u.Scheme + "://" + u.Host
}

// changeSet reads what the event asks to scan: local history first, the
// GitHub API for shallow clones and pull_request_target.
func (r *run) changeSet(ctx context.Context, client *api.Client) (*diff.ChangeSet, error) {
	return r.changeSetOf(ctx, client, r.ev)
}

// changeSetOf reads what ev asks to scan.
func (r *run) changeSetOf(ctx context.Context, client *api.Client, ev *event.Event) (*diff.ChangeSet, error) {
	req := diff.Request{
		Dir:     r.workspace,
		Options: diff.Options{IsLockfile: pipeline.LockfileMatcher(all.Parsers()), MergeBase: ev.MergeBase},
	}
	if ev.Kind == event.KindSweep {
		return diff.Open(ctx, req)
	}
	req.Base, req.Head, req.BaseRef = ev.Base, ev.Head, ev.BaseRef
	req.NoLocalHead = ev.Target
	req.Owner, req.Repo = ev.Owner, ev.Repo
	if ev.Kind == event.KindPullRequest {
		req.PR = ev.PR
	}
	req.API = diff.NewGitHubAPI(client)
	return diff.Open(ctx, req)
}

// writeSARIF writes the SARIF file; a failure is a note and an error
// annotation, not a failed scan.
func (r *run) writeSARIF(res *scanner.Result) (string, []byte) {
	var buf bytes.Buffer
	notes, err := sarif.Write(&buf, res, sarif.Options{ToolVersion: pipeline.Version, Category: r.sarifCategory()})
	if err != nil {
		r.notes = append(r.notes, fmt.Sprintf("The SARIF report could not be built: %v", err))
		_ = r.cmds.Annotate(github.Annotation{Level: github.LevelError, Title: "tollgate", Message: "SARIF report could not be built: " + err.Error()})
		return "", nil
	}
	res.Notes = append(res.Notes, notes...)
	p := r.in.sarif
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(r.workspace, filepath.FromSlash(p))
	}
	err = os.MkdirAll(filepath.Dir(abs), 0o755)
	if err == nil {
		err = os.WriteFile(abs, buf.Bytes(), 0o644)
	}
	if err != nil {
		r.notes = append(r.notes, fmt.Sprintf("The SARIF file could not be written to %s: %v", p, err))
		_ = r.cmds.Annotate(github.Annotation{Level: github.LevelError, Title: "tollgate", Message: fmt.Sprintf("SARIF file could not be written to %s: %v", p, err)})
		return "", buf.Bytes()
	}
	return p, buf.Bytes()
}

// sarifCategory is the code-scanning category of this run's upload. Sweeps
// (scheduled, manual, and pushes to the default branch) and pull requests
// use the category input: a sweep's ref is a branch, a pull request's is
// refs/pull/N, so their alerts never meet. Any other push (a feature branch,
// a merge-queue group) holds only the delta, and gets a category of its own
// ("<category>-push"), so that it can never close the alerts a full sweep of
// the same branch opened.
func (r *run) sarifCategory() string {
	if r.ev != nil && r.ev.Kind == event.KindPush {
		return r.in.category + "-push"
	}
	return r.in.category
}

// view fills what the summary and comment show beyond the report.
func (r *run) view(cs *diff.ChangeSet) github.View {
	ev := r.ev
	v := github.View{
		ServerURL: r.env.Getenv("GITHUB_SERVER_URL"),
		Owner:     ev.Owner,
		Repo:      ev.Repo,
		SHA:       ev.Head,
	}
	if v.ServerURL == "" {
		v.ServerURL = "https://github.com"
	}
	if v.SHA == "" {
		v.SHA = cs.Head
	}
	if v.SHA == "" {
		v.SHA = r.env.Getenv("GITHUB_SHA")
	}
	if id := r.env.Getenv("GITHUB_RUN_ID"); id != "" && ev.Owner != "" {
		v.RunURL = fmt.Sprintf("%s/%s/%s/actions/runs/%s", strings.TrimSuffix(v.ServerURL, "/"), ev.Owner, ev.Repo, id)
	}
	switch {
	case ev.Kind == event.KindPullRequest:
		v.Title = fmt.Sprintf("pull request #%d", ev.PR)
		if ev.Fork {
			v.Title += " (from a fork)"
		}
	case ev.Kind == event.KindPush && ev.Name == "merge_group":
		v.Title = "merge queue group " + github.EscapeMarkdown(ev.HeadRef)
	case ev.Kind == event.KindPush:
		v.Title = "push to " + github.EscapeMarkdown(strings.TrimPrefix(ev.HeadRef, "refs/heads/"))
	case r.pushSweep:
		v.Title = "push to " + github.EscapeMarkdown(strings.TrimPrefix(ev.HeadRef, "refs/heads/")) + " (full sweep of the default branch)"
	default:
		v.Title = github.EscapeMarkdown(fmt.Sprintf("sweep of %s/%s (%s)", ev.Owner, ev.Repo, ev.Name))
	}
	return v
}

// Values of the comment input.
const (
	commentAlways     = "always"
	commentOnFindings = "on-findings"
	commentOnFailure  = "on-failure"
	commentNever      = "never"
)

// commentMode reads the comment input: always, on-findings (the default;
// also "true"), on-failure or never (also "false").
func commentMode(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", "true", "yes", "on", commentOnFindings:
		return commentOnFindings, nil
	case "false", "no", "off", commentNever:
		return commentNever, nil
	case commentAlways, commentOnFailure:
		return v, nil
	}
	return "", pipeline.Usagef("input comment: %q is not always, on-findings, on-failure or never", s)
}

// comment keeps the sticky pull-request comment; what it cannot do becomes a
// note. It returns the comment's URL ("" if none).
func (r *run) comment(ctx context.Context, client *api.Client, res *scanner.Result, v github.View) string {
	ev := r.ev
	if r.in.comment == commentNever || ev.Kind != event.KindPullRequest || ev.PR == 0 {
		return ""
	}
	if r.in.token == "" {
		r.notes = append(r.notes, "Pull-request comment skipped: no token (set the token input).")
		return ""
	}
	var create bool
	switch r.in.comment {
	case commentAlways:
		create = true
	case commentOnFailure:
		create = v.Outcome != scanner.OutcomePassed
	default: // on findings
		create = len(res.Findings) > 0 || v.Outcome == scanner.OutcomeIncomplete
	}
	up, err := client.UpsertComment(ctx, ev.Owner, ev.Repo, ev.PR, github.CommentMarker(r.in.category), github.CommentBody(res, v), create)
	if err != nil {
		switch {
		case errors.Is(err, api.ErrForbidden) && ev.Fork:
			r.notes = append(r.notes, "Pull-request comment skipped: this pull request comes from a fork, whose token is read-only. Findings are in the annotations, this summary and the SARIF file.")
		case errors.Is(err, api.ErrForbidden):
			r.notes = append(r.notes, fmt.Sprintf("Pull-request comment skipped: the token may not write comments (grant `permissions: pull-requests: write`): %v", err))
		default:
			r.notes = append(r.notes, fmt.Sprintf("Pull-request comment skipped: %v", err))
		}
		return ""
	}
	// The URL comes from the API's answer: logged with workflow commands off.
	_ = r.cmds.LogUntrusted(fmt.Sprintf("tollgate: pull-request comment %s %s", up.Action, up.URL))
	return up.URL
}

// upload sends the SARIF file to code scanning when asked to; what it cannot
// do becomes a note.
func (r *run) upload(ctx context.Context, client *api.Client, data []byte, started time.Time) {
	if !r.in.upload {
		return
	}
	if data == nil {
		r.notes = append(r.notes, "SARIF upload skipped: no SARIF report was built.")
		return
	}
	ev := r.ev
	ref, sha := r.env.Getenv("GITHUB_REF"), r.env.Getenv("GITHUB_SHA")
	if ev.Target && ev.PR > 0 {
		// pull_request_target runs on the base branch; the analysis is of the
		// pull request's head.
		ref, sha = fmt.Sprintf("refs/pull/%d/head", ev.PR), ev.Head
	}
	if ref == "" || sha == "" {
		r.notes = append(r.notes, "SARIF upload skipped: GITHUB_REF or GITHUB_SHA is not set.")
		return
	}
	id, err := client.UploadSARIF(ctx, api.Upload{
		Owner: ev.Owner, Repo: ev.Repo, CommitSHA: sha, Ref: ref, SARIF: data,
		StartedAt: started.UTC(), ToolName: "tollgate",
	})
	if err != nil {
		switch {
		case errors.Is(err, api.ErrForbidden) && ev.Fork:
			r.notes = append(r.notes, "SARIF upload skipped: this pull request comes from a fork, whose token cannot write code-scanning results. The SARIF file is still written for an upload step.")
		case errors.Is(err, api.ErrForbidden):
			r.notes = append(r.notes, fmt.Sprintf("SARIF upload skipped: the token may not upload (grant `permissions: security-events: write`; private repositories need code scanning enabled): %v", err))
		default:
			r.notes = append(r.notes, fmt.Sprintf("SARIF upload failed: %v", err))
		}
		return
	}
	// The id comes from the API's answer: logged with workflow commands off.
	_ = r.cmds.LogUntrusted(fmt.Sprintf("tollgate: SARIF uploaded to code scanning (id %s, ref %s)", id, ref))
}
