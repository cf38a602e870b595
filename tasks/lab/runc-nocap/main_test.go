package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSubcommandSkipsGlobalFlags(t *testing.T) {
	cmd, rest := subcommand([]string{"--root", "/run/runc", "--log", "/x.log", "--log-format", "json", "--systemd-cgroup", "create", "--bundle", "/b", "id"})
	if cmd != "create" || !reflect.DeepEqual(rest, []string{"--bundle", "/b", "id"}) {
		t.Fatalf("got %q %v", cmd, rest)
	}
}

func TestFlagValueForms(t *testing.T) {
	for _, args := range [][]string{{"--bundle", "/b"}, {"--bundle=/b"}, {"-b", "/b"}, {"-bundle", "/b"}} {
		if got := flagValue(args, "bundle", "b"); got != "/b" {
			t.Errorf("%v: got %q", args, got)
		}
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, _ := json.Marshal(v)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func caps(all ...string) map[string]any {
	list := []any{}
	for _, c := range all {
		list = append(list, c)
	}
	return map[string]any{"bounding": list, "effective": list, "permitted": list}
}

func TestStripsMissingCapsFromBundleAndProcessFile(t *testing.T) {
	missing := map[string]bool{"CAP_SYS_RESOURCE": true}
	dir := t.TempDir()
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"ociVersion": "1.0.2", "process": map[string]any{"capabilities": caps("CAP_CHOWN", "CAP_SYS_RESOURCE", "CAP_SYS_ADMIN")}})
	if err := rewrite(filepath.Join(dir, "config.json"), missing, func(d map[string]any) map[string]any { p, _ := d["process"].(map[string]any); return p }); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	raw, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	_ = json.Unmarshal(raw, &got)
	want := []any{"CAP_CHOWN", "CAP_SYS_ADMIN"}
	for _, set := range []string{"bounding", "effective", "permitted"} {
		if c := got["process"].(map[string]any)["capabilities"].(map[string]any)[set]; !reflect.DeepEqual(c, want) {
			t.Errorf("%s: %v", set, c)
		}
	}
	if got["ociVersion"] != "1.0.2" {
		t.Errorf("other fields lost: %v", got)
	}
}

func TestLeavesASpecWithoutMissingCapsAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "process.json")
	writeJSON(t, path, map[string]any{"capabilities": caps("CAP_CHOWN")})
	before, _ := os.ReadFile(path)
	if err := rewrite(path, map[string]bool{"CAP_SYS_RESOURCE": true}, func(d map[string]any) map[string]any { return d }); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Errorf("rewritten although nothing was missing:\n%s\n%s", before, after)
	}
}
