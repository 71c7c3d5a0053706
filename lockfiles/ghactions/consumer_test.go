package ghactions_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/lockfiles/ghactions"
	lt "github.com/tollgate-dev/tollgate/lockfiles/lockfilestest"
)

// What GitHub reads of a workflow's anchors, aliases, merge keys and
// repeated keys. GitHub's parser cannot be run here; the expectations come
// from its published form, actions/languageservices workflow-parser
// (yaml-object-reader.ts resolves aliases and parses with the yaml package's
// YAML 1.2 core schema, in which "<<" is an ordinary key; template-reader.ts
// refuses a key whose toUpperCase() was seen: "'x' is already defined", and
// looks properties up case-sensitively, so Uses: is "Unexpected value"),
// from GitHub's changelog of 2025-09-18 (anchors and aliases in workflows)
// and from GitHub staff in actions/runner#1182 (merge keys: "no").
var workflowReadings = []lt.Reading{
	{
		Name: "steps from an alias",
		Src: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps: &steps
      - uses: actions/checkout@v4
  b:
    runs-on: ubuntu-latest
    steps: *steps
`,
		Want:   []string{"actions/checkout@v4", "actions/checkout@v4"},
		Source: "changelog 2025-09-18; yaml-object-reader.ts resolves aliases",
	},
	{
		Name: "a step and a uses: from aliases",
		Src: `on: push
x-defs:
  - &step {uses: evil/act@v1}
  - &ref evil/other@v2
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - *step
      - uses: *ref
`,
		Want:   []string{"evil/act@v1", "evil/other@v2"},
		Source: "yaml-object-reader.ts resolves aliases (x-defs itself GitHub calls an unexpected value)",
	},
	{
		Name: "merge key builds a step",
		Src: `on: push
x-step: &step
  uses: evil/act@v1
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - <<: *step
        name: innocent
`,
		ErrLine: 8, ErrText: "merge key",
		Source: "actions/runner#1182: merge keys are not supported",
	},
	{
		Name: "merge key builds a job",
		Src: `on: push
jobs:
  a: &job
    runs-on: ubuntu-latest
    steps:
      - uses: evil/act@v1
  b:
    <<: *job
`,
		ErrLine: 8, ErrText: "merge key",
		Source: "actions/runner#1182: merge keys are not supported",
	},
	{
		Name: "merge key of a sequence of steps",
		Src: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - {<<: [{uses: evil/act@v1}], name: x}
`,
		ErrLine: 6, ErrText: "merge key",
		Source: "actions/runner#1182: merge keys are not supported",
	},
	{
		Name: "uses: twice in a step",
		Src: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        uses: evil/act@v1
`,
		ErrLine: 7, ErrText: `duplicate key "uses"`,
		Source: "template-reader.ts: 'uses' is already defined",
	},
	{
		Name: "steps: and Steps:",
		Src: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
    Steps:
      - uses: evil/act@v1
`,
		ErrLine: 7, ErrText: `duplicate key "Steps"`,
		Source: "template-reader.ts compares keys upper-cased",
	},
	{
		Name: "two jobs whose ids differ in case",
		Src: `on: push
jobs:
  build:
    uses: ./.github/workflows/ok.yml
  Build:
    uses: evil/repo/.github/workflows/x.yml@main
`,
		ErrLine: 5, ErrText: `duplicate key "Build"`,
		Source: "template-reader.ts compares keys upper-cased",
	},
	{
		Name: "Uses: is not uses:",
		Src: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - Uses: evil/act@v1
`,
		Want:   []string{},
		Source: "template-reader.ts: Unexpected value 'Uses' (GitHub rejects the file; it runs nothing)",
	},
	{
		Name: "a quoted << and a << naming a string are ordinary keys",
		Src: `on: push
env:
  '<<': quoted
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      <<: plain
    steps:
      - uses: actions/checkout@v4
`,
		Want:   []string{"actions/checkout@v4"},
		Source: "YAML 1.2 core schema: << is a string key; an env var may be named so",
	},
	{
		Name: "keys differing only beyond ASCII are not folded",
		Src: `on: push
env:
  K: ascii
  "\u212A": kelvin
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
`,
		Want:   []string{"actions/checkout@v4"},
		Source: "JavaScript toUpperCase() keeps the Kelvin sign apart from K",
	},
}

func TestWorkflowReadings(t *testing.T) {
	lt.CheckReadings(t, ghactions.Parser{}, ".github/workflows/ci.yml", workflowReadings)
}

// Composite actions are read by the runner with the same template reader.
func TestActionReadings(t *testing.T) {
	lt.CheckReadings(t, ghactions.Parser{}, "action.yml", []lt.Reading{
		{
			Name: "merge key builds a composite step",
			Src: `name: x
x-step: &step {uses: evil/act@v1}
runs:
  using: composite
  steps:
    - <<: *step
`,
			ErrLine: 6, ErrText: "merge key",
			Source: "actions/runner#1182: merge keys are not supported",
		},
		{
			Name: "steps twice",
			Src: `name: x
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
  steps:
    - uses: evil/act@v1
`,
			ErrLine: 6, ErrText: `duplicate key "steps"`,
			Source: "template-reader.ts: 'steps' is already defined",
		},
	})
}
