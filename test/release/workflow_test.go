package release_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var workflowFile = filepath.Join(repoRoot, ".github", "workflows", "release.yml")

// artifacts are the files each runner builds (the names make dist and the
// dist scripts give them), for a version v.
func artifacts(v string) map[string][]string {
	return map[string][]string{
		"ubuntu": {
			"parley_" + v + "_amd64.deb",
			"parley-" + v + "-linux-amd64.tar.gz",
			"parley-node-" + v + "-linux-amd64.tar.gz",
			"parley-node-" + v + "-linux-arm64.tar.gz",
		},
		"windows": {"parley-" + v + "-windows-amd64-installer.exe"},
		"macos":   {"parley-" + v + "-macos-universal.zip"},
	}
}

// Versions as scripts/version prints them: a release, a build after one,
// a build before the first tag.
var sampleVersions = []string{"1.2.3", "1.2.3+5.gabc1234", "0.0.0+110.gbe9f173"}

// The keys of GitHub's workflow syntax; the decoder refuses any other, so
// a misspelt key (run-on) fails instead of being ignored by GitHub.
type workflow struct {
	Name        string            `yaml:"name"`
	RunName     string            `yaml:"run-name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Defaults    any               `yaml:"defaults"`
	Concurrency any               `yaml:"concurrency"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	Name            string            `yaml:"name"`
	RunsOn          any               `yaml:"runs-on"`
	Needs           any               `yaml:"needs"`
	If              string            `yaml:"if"`
	Permissions     map[string]string `yaml:"permissions"`
	Environment     any               `yaml:"environment"`
	Concurrency     any               `yaml:"concurrency"`
	Outputs         map[string]string `yaml:"outputs"`
	Env             map[string]string `yaml:"env"`
	Defaults        any               `yaml:"defaults"`
	Strategy        any               `yaml:"strategy"`
	TimeoutMinutes  any               `yaml:"timeout-minutes"`
	ContinueOnError any               `yaml:"continue-on-error"`
	Container       any               `yaml:"container"`
	Services        any               `yaml:"services"`
	Steps           []step            `yaml:"steps"`
}

type step struct {
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Name             string            `yaml:"name"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	ContinueOnError  any               `yaml:"continue-on-error"`
	TimeoutMinutes   any               `yaml:"timeout-minutes"`
}

// list reads a YAML value that may be one string or a list of them.
func list(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			out = append(out, fmt.Sprint(s))
		}
		return out
	}
	return nil
}

// make as a command (at a line's start or after ; && || |) and its target.
var makeRE = regexp.MustCompile(`(?m)(?:^|[;&|]\s*)\s*make\s+([a-z0-9-]+)`)

// An action pinned to a major version at least (v6, v6.1.0) or a commit.
var pinnedRE = regexp.MustCompile(`^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$`)

// checkWorkflow lists what is wrong with the release workflow at path, for
// the repository at root (whose scripts and make targets it runs).
func checkWorkflow(file, root string) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	raw, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	var wf workflow
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key is an error, not a silently ignored one
	if err := dec.Decode(&wf); err != nil {
		return []string{fmt.Sprintf("parse %s: %v", file, err)}
	}

	// Triggers: a pushed tag v1.2.3, or by hand.
	push, _ := wf.On["push"].(map[string]any)
	if !slices.Contains(list(push["tags"]), "v*") {
		fail("on.push.tags is %v, want it to hold \"v*\"", push["tags"])
	}
	if _, ok := wf.On["workflow_dispatch"]; !ok {
		fail("the workflow cannot be run by hand: on has no workflow_dispatch")
	}
	if wf.Permissions["contents"] != "read" {
		fail("the workflow's permissions give contents %q, want read (only the release job writes)", wf.Permissions["contents"])
	}

	// One job per runner OS, found by its runs-on.
	runners := []string{"ubuntu", "windows", "macos"}
	byOS := map[string]string{} // runner OS → job
	for name, j := range wf.Jobs {
		if name == "release" {
			continue
		}
		for _, runner := range runners {
			if label := strings.Join(list(j.RunsOn), ","); strings.HasPrefix(label, runner+"-") {
				if other, dup := byOS[runner]; dup {
					fail("jobs %s and %s both run on %s", other, name, runner)
				}
				byOS[runner] = name
			}
		}
	}
	for _, runner := range runners {
		if byOS[runner] == "" {
			fail("no job runs on %s", runner)
		}
	}

	targets := makeTargets(filepath.Join(root, "Makefile"))
	for name, j := range wf.Jobs {
		if len(j.Steps) == 0 {
			fail("job %s has no steps", name)
		}
		if name != "release" && len(j.Permissions) > 0 {
			fail("job %s asks for permissions %v; only the release job needs more than read", name, j.Permissions)
		}
		for i, s := range j.Steps {
			where := fmt.Sprintf("job %s step %d (%s)", name, i+1, s.Name+s.Uses)
			switch {
			case s.Uses == "" && s.Run == "":
				fail("%s has neither uses nor run", where)
			case s.Uses != "" && s.Run != "":
				fail("%s has both uses and run", where)
			}
			if s.Uses != "" && !pinnedRE.MatchString(s.Uses) {
				fail("%s uses %q: pin the action to a version (owner/name@v1) or a commit", where, s.Uses)
			}
			if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["fetch-depth"] != "0" {
				fail("%s checks out with fetch-depth %q, want 0: scripts/version needs the tags and history", where, s.With["fetch-depth"])
			}
			for _, script := range regexp.MustCompile(`\bscripts/[\w.-]+`).FindAllString(s.Run, -1) {
				if st, err := os.Stat(filepath.Join(root, script)); err != nil || st.Mode()&0o111 == 0 {
					fail("%s runs %s, which is not an executable file in the repository", where, script)
				}
			}
			for _, m := range makeRE.FindAllStringSubmatch(s.Run, -1) {
				if !targets[m[1]] {
					fail("%s runs make %s, a target the Makefile does not have", where, m[1])
				}
			}
		}
	}

	// Each build job uploads exactly its own files, and fails when one is
	// missing, so a release never lacks one or holds two of a name.
	uploads := map[string][]string{} // runner OS → path patterns
	for runner, name := range byOS {
		for _, s := range wf.Jobs[name].Steps {
			if !strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
				continue
			}
			if s.With["if-no-files-found"] != "error" {
				fail("job %s uploads %q with if-no-files-found %q, want error", name, s.With["name"], s.With["if-no-files-found"])
			}
			for _, line := range strings.Split(s.With["path"], "\n") {
				if line = strings.TrimSpace(line); line != "" {
					uploads[runner] = append(uploads[runner], line)
				}
			}
		}
	}
	for _, v := range sampleVersions {
		for runner, files := range artifacts(v) {
			for _, f := range files {
				if !slices.ContainsFunc(uploads[runner], func(p string) bool { return match(p, "dist/"+f) }) {
					fail("job %s uploads %v, none of which is dist/%s", byOS[runner], uploads[runner], f)
				}
				for other, patterns := range uploads {
					for _, p := range patterns {
						if other != runner && match(p, "dist/"+f) {
							fail("job %s uploads %s (pattern %s), which the %s job builds", byOS[other], f, p, runner)
						}
					}
				}
			}
		}
	}

	// The release: after all three builds, on a tag only.
	rel, ok := wf.Jobs["release"]
	if !ok {
		fail("no release job")
	} else {
		for _, name := range byOS {
			if !slices.Contains(list(rel.Needs), name) {
				fail("the release job does not wait for job %s (needs %v)", name, rel.Needs)
			}
		}
		if !strings.Contains(rel.If, "refs/tags/v") {
			fail("the release job runs if %q, want only on a tag v*", rel.If)
		}
		if rel.Permissions["contents"] != "write" {
			fail("the release job has contents %q, want write to publish the release", rel.Permissions["contents"])
		}
		if !slices.ContainsFunc(rel.Steps, func(s step) bool { return strings.HasPrefix(s.Uses, "actions/download-artifact@") }) {
			fail("the release job downloads no artifacts")
		}
		if !slices.ContainsFunc(rel.Steps, func(s step) bool { return strings.Contains(s.Run, "gh release create") }) {
			fail("the release job never runs gh release create")
		}
	}

	for _, m := range regexp.MustCompile(`secrets\.(\w+)`).FindAllStringSubmatch(string(raw), -1) {
		if m[1] != "GITHUB_TOKEN" {
			fail("the workflow uses the secret %s: it must need none but GITHUB_TOKEN", m[1])
		}
	}
	return problems
}

func match(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// makeTargets reads the target names a Makefile defines.
func makeTargets(file string) map[string]bool {
	targets := map[string]bool{}
	f, err := os.Open(file)
	if err != nil {
		return targets
	}
	defer f.Close()
	re := regexp.MustCompile(`^([a-z0-9-]+):`)
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			targets[m[1]] = true
		}
	}
	return targets
}

func TestReleaseWorkflow(t *testing.T) {
	for _, problem := range checkWorkflow(workflowFile, repoRoot) {
		t.Error(problem)
	}
}

// Broken copies of the workflow must each be reported.
func TestWorkflowCheckFindsMistakes(t *testing.T) {
	src, err := os.ReadFile(workflowFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		old, new string // the edit made to the committed workflow
		want     string // in one of the problems
	}{
		{"no macOS", "runs-on: macos-latest", "runs-on: ubuntu-22.04", "no job runs on macos"},
		{"other tags", `tags: ["v*"]`, `tags: ["release-*"]`, "on.push.tags"},
		{"no manual run", "  workflow_dispatch:\n", "", "workflow_dispatch"},
		{"step without action", "      - uses: actions/setup-go@v6\n", "      - name: setup go\n", "neither uses nor run"},
		{"unpinned action", "actions/setup-node@v6", "actions/setup-node@main", "pin the action"},
		{"shallow checkout", "fetch-depth: 0 # all history", "fetch-depth: 1 # all history", "fetch-depth"},
		{"renamed zip", "dist/parley-*-macos-universal.zip", "dist/parley-*-macos.zip", "macos-universal.zip"},
		{"arm64 helper left out", "            dist/parley-node-*-linux-arm64.tar.gz\n", "", "linux-arm64.tar.gz"},
		{"everything from Linux", "            dist/parley_*_amd64.deb\n", "            dist/*\n", "which the windows job builds"},
		{"missing file tolerated", "if-no-files-found: error\n\n  windows:", "if-no-files-found: warn\n\n  windows:", "if-no-files-found"},
		{"release on every run", "if: startsWith(github.ref, 'refs/tags/v')", "if: always()", "only on a tag"},
		{"release before macOS", "needs: [linux, windows, macos]", "needs: [linux, windows]", "does not wait for job macos"},
		{"another secret", "secrets.GITHUB_TOKEN", "secrets.RELEASE_TOKEN", "RELEASE_TOKEN"},
		{"missing script", "scripts/dist-macos", "scripts/dist-mac", "scripts/dist-mac,"},
		{"unknown make target", "make dist VERSION", "make dist-all VERSION", "make dist-all"},
		{"misspelt key", "runs-on: windows-latest", "run-on: windows-latest", "parse"},
		{"tab indentation", "    timeout-minutes: 15", "\ttimeout-minutes: 15", "parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(src, []byte(tc.old)) {
				t.Fatalf("release.yml no longer holds %q: update this case", tc.old)
			}
			broken := filepath.Join(t.TempDir(), "release.yml")
			if err := os.WriteFile(broken, bytes.Replace(src, []byte(tc.old), []byte(tc.new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			problems := checkWorkflow(broken, repoRoot)
			t.Logf("reported: %q", problems)
			if !slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("problems %q, want one about %q", problems, tc.want)
			}
		})
	}
}
