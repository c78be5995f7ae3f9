// Package release_test checks the release files that this machine cannot
// exercise: the macOS Info.plist templates, which Wails renders only when it
// builds on a Mac, and the workflow that builds and publishes the releases.
package release_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"parley/invite"
	"parley/p2p"
)

// The committed files, relative to this package's directory.
var (
	repoRoot     = filepath.Join("..", "..")
	wailsJSON    = filepath.Join(repoRoot, "wails.json")
	infoPlist    = filepath.Join(repoRoot, "build", "darwin", "Info.plist")
	infoDevPlist = filepath.Join(repoRoot, "build", "darwin", "Info.dev.plist")
)

// The bundle identifiers. macOS files the Local Network permission people
// grant, and an app's preferences, under this name: changing it makes every
// user answer the prompt again. The build of `wails dev` has its own, so it
// never shares them with an installed Parley.
const (
	bundleID    = "org.parley.Parley"
	devBundleID = bundleID + ".dev"
)

// minMacOS is the oldest macOS that Go 1.26 programs run on.
const minMacOS = 12

// project is what Wails' build templates see of wails.json: the fields of
// its project data with the same JSON names (Wails'
// internal/project.Project), with Wails' defaults filled in.
type project struct {
	Name           string `json:"name"`
	OutputFilename string `json:"outputfilename"`
	Info           info   `json:"info"`
}

type info struct {
	CompanyName      string            `json:"companyName"`
	ProductName      string            `json:"productName"`
	ProductVersion   string            `json:"productVersion"`
	Copyright        *string           `json:"copyright"`
	Comments         *string           `json:"comments"`
	FileAssociations []fileAssociation `json:"fileAssociations"`
	Protocols        []protocol        `json:"protocols"`
}

type fileAssociation struct {
	Ext         string `json:"ext"`
	Name        string `json:"name"`
	Description string `json:"description"`
	IconName    string `json:"iconName"`
	Role        string `json:"role"`
}

type protocol struct {
	Scheme      string `json:"scheme"`
	Description string `json:"description"`
	Role        string `json:"role"`
}

// Wails' placeholders for what wails.json leaves out; none may ship.
const (
	wailsCopyright = "Copyright........."
	wailsComments  = "Built using Wails (https://wails.io)"
)

// loadProject reads wails.json as Wails does before rendering a template.
func loadProject(path string) (project, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return project{}, err
	}
	var p project
	if err := json.Unmarshal(data, &p); err != nil {
		return project{}, fmt.Errorf("parse %s: %w", path, err)
	}
	if p.Name == "" {
		p.Name = "wailsapp"
	}
	if p.OutputFilename == "" {
		p.OutputFilename = p.Name
	}
	if p.Info.CompanyName == "" {
		p.Info.CompanyName = p.Name
	}
	if p.Info.ProductName == "" {
		p.Info.ProductName = p.Name
	}
	// wails.json has no productVersion on purpose: scripts/dist-macos sets
	// the version in the built app.
	if p.Info.ProductVersion == "" {
		p.Info.ProductVersion = "1.0.0"
	}
	if p.Info.Copyright == nil {
		p.Info.Copyright = ptr(wailsCopyright)
	}
	if p.Info.Comments == nil {
		p.Info.Comments = ptr(wailsComments)
	}
	return p, nil
}

func ptr[T any](v T) *T { return &v }

// render executes a build template with the functions Wails gives it
// (pkg/buildassets).
func render(path string, p project) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nonAlphaNum := regexp.MustCompile(`[^A-Za-z0-9]+`)
	funcs := template.FuncMap{
		"xml": template.HTMLEscapeString,
		"safeBundleID": func(s string) string {
			return strings.Trim(strings.ToLower(nonAlphaNum.ReplaceAllString(s, "-")), "-")
		},
	}
	tmpl, err := template.New(filepath.Base(path)).Funcs(funcs).Parse(string(src))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, p); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// parsePlist reads an XML property list whose top value is a dict. Values
// become map[string]any (dict), []any (array), bool (true, false) and
// string (string, integer, real, date, data).
func parsePlist(data []byte) (map[string]any, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	start, err := nextElement(d)
	if err != nil {
		return nil, err
	}
	if start.Name.Local != "plist" {
		return nil, fmt.Errorf("the root element is <%s>, not <plist>", start.Name.Local)
	}
	top, err := nextElement(d)
	if err != nil {
		return nil, err
	}
	v, err := plistValue(d, top)
	if err != nil {
		return nil, err
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("<plist> holds <%s>, not <dict>", top.Name.Local)
	}
	if end, err := nextElement(d); !errors.Is(err, errEnd) {
		if err == nil {
			err = fmt.Errorf("<plist> holds <%s> after its dict", end.Name.Local)
		}
		return nil, err
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return dict, nil
		}
		if err != nil {
			return nil, err
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return nil, fmt.Errorf("text %q after </plist>", cd)
		}
	}
}

// errEnd is nextElement's report that the enclosing element ended.
var errEnd = errors.New("end of element")

// nextElement returns the next start tag, skipping white space, comments
// and processing instructions; errEnd at the enclosing element's end tag.
func nextElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, io.ErrUnexpectedEOF
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			return tok, nil
		case xml.EndElement:
			return xml.StartElement{}, errEnd
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return xml.StartElement{}, fmt.Errorf("text %q where an element belongs", tok)
			}
		}
	}
}

func plistValue(d *xml.Decoder, start xml.StartElement) (any, error) {
	switch start.Name.Local {
	case "dict":
		dict := map[string]any{}
		for {
			keyStart, err := nextElement(d)
			if errors.Is(err, errEnd) {
				return dict, nil
			}
			if err != nil {
				return nil, err
			}
			if keyStart.Name.Local != "key" {
				return nil, fmt.Errorf("<%s> in a dict where a <key> belongs", keyStart.Name.Local)
			}
			var key string
			if err := d.DecodeElement(&key, &keyStart); err != nil {
				return nil, err
			}
			valueStart, err := nextElement(d)
			if err != nil {
				return nil, fmt.Errorf("key %s has no value: %w", key, err)
			}
			value, err := plistValue(d, valueStart)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			if _, dup := dict[key]; dup {
				return nil, fmt.Errorf("key %s appears twice in one dict", key)
			}
			dict[key] = value
		}
	case "array":
		array := []any{}
		for {
			itemStart, err := nextElement(d)
			if errors.Is(err, errEnd) {
				return array, nil
			}
			if err != nil {
				return nil, err
			}
			item, err := plistValue(d, itemStart)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", len(array), err)
			}
			array = append(array, item)
		}
	case "true", "false":
		if err := d.Skip(); err != nil {
			return nil, err
		}
		return start.Name.Local == "true", nil
	case "string", "integer", "real", "date", "data":
		var s string
		err := d.DecodeElement(&s, &start)
		return s, err
	default:
		return nil, fmt.Errorf("<%s> is not a property list element", start.Name.Local)
	}
}

// macOSServiceType is the Bonjour service type of an mDNS service name as
// Info.plist lists it: _name._udp or _name._tcp, without the domain.
func macOSServiceType(name string) string {
	return strings.TrimSuffix(strings.TrimSuffix(name, "."), ".local")
}

// inviteScheme is the URL scheme of Parley's invite links (parley).
func inviteScheme() string {
	scheme, _, _ := strings.Cut(invite.Prefix, "://")
	return scheme
}

var serviceTypeRE = regexp.MustCompile(`^_[a-z0-9-]{1,15}\._(tcp|udp)$`)

// checkInfoPlist lists what is wrong in a rendered Info.plist for the
// project p, whose bundle identifier should be id.
func checkInfoPlist(doc map[string]any, p project, id string) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	str := func(key string) string {
		v, ok := doc[key]
		if !ok {
			fail("%s is missing", key)
			return ""
		}
		s, ok := v.(string)
		if !ok {
			fail("%s is %T, not a string", key, v)
		}
		return s
	}
	array := func(key string) []any {
		v, ok := doc[key]
		if !ok {
			fail("%s is missing", key)
			return nil
		}
		a, ok := v.([]any)
		if !ok {
			fail("%s is %T, not an array", key, v)
		}
		return a
	}
	wantString := func(key, want string) {
		if got := str(key); got != want && doc[key] != nil {
			fail("%s is %q, want %q", key, got, want)
		}
	}

	wantString("CFBundlePackageType", "APPL")
	// Wails puts the binary in Contents/MacOS/<outputfilename>; macOS
	// starts the one this names.
	wantString("CFBundleExecutable", p.OutputFilename)
	wantString("CFBundleName", p.Info.ProductName)
	wantString("CFBundleIdentifier", id)
	// scripts/dist-macos replaces both with the version being built.
	wantString("CFBundleShortVersionString", p.Info.ProductVersion)
	wantString("CFBundleVersion", p.Info.ProductVersion)
	wantString("CFBundleIconFile", "iconfile") // the .icns Wails writes
	for _, key := range []string{"NSHumanReadableCopyright", "CFBundleGetInfoString"} {
		if s := str(key); s == wailsCopyright || s == wailsComments {
			fail("%s is Wails' placeholder %q: set it in wails.json", key, s)
		}
	}

	if minVersion := str("LSMinimumSystemVersion"); minVersion != "" {
		major, err := strconv.Atoi(strings.Split(minVersion, ".")[0])
		if err != nil || major < minMacOS {
			fail("LSMinimumSystemVersion is %q: Go 1.26 programs need macOS %d or newer", minVersion, minMacOS)
		}
	}
	if v, ok := doc["NSHighResolutionCapable"]; !ok {
		fail("NSHighResolutionCapable is missing")
	} else if v != true {
		fail("NSHighResolutionCapable is %#v, want <true/>", v)
	}

	// macOS 15 blocks mDNS without asking unless both are present.
	if s := str("NSLocalNetworkUsageDescription"); doc["NSLocalNetworkUsageDescription"] != nil && strings.TrimSpace(s) == "" {
		fail("NSLocalNetworkUsageDescription is empty: macOS shows it when it asks people to allow LAN discovery")
	}
	wantService := macOSServiceType(p2p.MDNSService)
	services := array("NSBonjourServices")
	for _, s := range services {
		if s, ok := s.(string); !ok || !serviceTypeRE.MatchString(s) {
			fail("NSBonjourServices holds %q, not a service type like _name._udp", s)
		}
	}
	if services != nil && !slices.Contains(services, any(wantService)) {
		fail("NSBonjourServices is %v, want it to hold %q (p2p.MDNSService)", services, wantService)
	}

	// Every scheme of wails.json (the Windows installer registers them)
	// and the invite links' must open the app.
	schemes := map[string]bool{}
	for i, t := range array("CFBundleURLTypes") {
		t, ok := t.(map[string]any)
		if !ok {
			fail("CFBundleURLTypes item %d is %T, not a dict", i, t)
			continue
		}
		if name, _ := t["CFBundleURLName"].(string); name == "" {
			fail("CFBundleURLTypes item %d has no CFBundleURLName", i)
		}
		list, ok := t["CFBundleURLSchemes"].([]any)
		if !ok {
			fail("CFBundleURLTypes item %d: CFBundleURLSchemes is %T, not an array", i, t["CFBundleURLSchemes"])
		}
		for _, s := range list {
			if s, ok := s.(string); ok {
				schemes[s] = true
			}
		}
	}
	want := []string{inviteScheme()}
	for _, pr := range p.Info.Protocols {
		want = append(want, pr.Scheme)
	}
	slices.Sort(want)
	for _, s := range slices.Compact(want) {
		if !schemes[s] {
			fail("no CFBundleURLTypes entry has the URL scheme %q in CFBundleURLSchemes", s)
		}
	}
	return problems
}

// plistProblems renders, parses and checks one Info.plist template; a
// template or XML error is a problem too.
func plistProblems(path string, p project, id string) []string {
	out, err := render(path, p)
	if err != nil {
		return []string{fmt.Sprintf("render %s: %v", path, err)}
	}
	doc, err := parsePlist(out)
	if err != nil {
		return []string{fmt.Sprintf("parse %s as rendered: %v", path, err)}
	}
	return checkInfoPlist(doc, p, id)
}

func TestInfoPlist(t *testing.T) {
	p, err := loadProject(wailsJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, id string }{
		{infoPlist, bundleID},
		{infoDevPlist, devBundleID},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			for _, problem := range plistProblems(tc.path, p, tc.id) {
				t.Error(problem)
			}
		})
	}
}

// The build of `wails dev` must behave like the release on everything but
// its identity and the dev server it may load pages from.
func TestDevPlistMatchesRelease(t *testing.T) {
	p, err := loadProject(wailsJSON)
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]map[string]any, 2)
	for i, path := range []string{infoPlist, infoDevPlist} {
		out, err := render(path, p)
		if err != nil {
			t.Fatal(err)
		}
		if docs[i], err = parsePlist(out); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		delete(docs[i], "CFBundleIdentifier")
		delete(docs[i], "NSAppTransportSecurity")
	}
	for key, v := range docs[0] {
		if got, ok := docs[1][key]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("Info.dev.plist has %s = %v, Info.plist %v", key, got, v)
		}
	}
	for key := range docs[1] {
		if _, ok := docs[0][key]; !ok {
			t.Errorf("Info.dev.plist has %s, Info.plist does not", key)
		}
	}
}

// Broken copies of Info.plist must each be reported.
func TestInfoPlistCheckFindsMistakes(t *testing.T) {
	p, err := loadProject(wailsJSON)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(infoPlist)
	if err != nil {
		t.Fatal(err)
	}
	service := macOSServiceType(p2p.MDNSService)
	for _, tc := range []struct {
		name     string
		old, new string // the edit made to the committed template
		want     string // in one of the problems
	}{
		{"no usage description", "<key>NSLocalNetworkUsageDescription</key>", "<key>Unused</key>", "NSLocalNetworkUsageDescription is missing"},
		{"empty usage description", keyedString(t, src, "NSLocalNetworkUsageDescription"), "<string> </string>", "NSLocalNetworkUsageDescription is empty"},
		{"tcp service type", "<string>" + service + "</string>", "<string>" + strings.Replace(service, "._udp", "._tcp", 1) + "</string>", "NSBonjourServices"},
		{"service with domain", "<string>" + service + "</string>", "<string>" + service + ".local.</string>", "not a service type"},
		{"no Bonjour services", "<key>NSBonjourServices</key>", "<key>Unused</key>", "NSBonjourServices is missing"},
		{"other URL scheme", "<string>parley</string>", "<string>parlay</string>", `URL scheme "parley"`},
		{"fixed executable", "<string>{{.OutputFilename}}</string>", "<string>Parley</string>", "CFBundleExecutable"},
		{"old macOS", "<string>12.0.0</string>", "<string>10.13.0</string>", "LSMinimumSystemVersion"},
		{"high resolution as text", "<key>NSHighResolutionCapable</key>\n        <true/>", "<key>NSHighResolutionCapable</key>\n        <string>true</string>", "NSHighResolutionCapable"},
		{"other identifier", "<string>" + bundleID + "</string>", "<string>com.wails.parley</string>", "CFBundleIdentifier"},
		{"key twice", "<key>CFBundleURLTypes</key>", "<key>NSBonjourServices</key>", "appears twice"},
		{"unclosed array", "</array>\n        <key>CFBundleURLTypes</key>", "<key>CFBundleURLTypes</key>", "parse"},
		{"unknown field", "{{.OutputFilename}}", "{{.Info.Executable}}", "render"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(src, []byte(tc.old)) {
				t.Fatalf("Info.plist no longer holds %q: update this case", tc.old)
			}
			broken := filepath.Join(t.TempDir(), "Info.plist")
			if err := os.WriteFile(broken, bytes.Replace(src, []byte(tc.old), []byte(tc.new), 1), 0o644); err != nil {
				t.Fatal(err)
			}
			problems := plistProblems(broken, p, bundleID)
			t.Logf("reported: %q", problems)
			if !slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("problems %q, want one about %q", problems, tc.want)
			}
		})
	}
}

// keyedString returns the <string> element that follows <key>key</key>.
func keyedString(t *testing.T, src []byte, key string) string {
	t.Helper()
	m := regexp.MustCompile(`<key>` + key + `</key>\s*(<string>[^<]*</string>)`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("Info.plist has no string for %s", key)
	}
	return string(m[1])
}
