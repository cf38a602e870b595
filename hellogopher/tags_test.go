package main

import (
	"strings"
	"testing"
)

func TestTagsTable(t *testing.T) {
	tags, err := parseTags(tagsJSON)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		timeout  int
		database bool
	}{
		"1.0": {0, false},
		"2.0": {10, false},
		"3.0": {100, false},
		"4.0": {0, false},
		"5.0": {0, true},
	}
	if len(tags) != len(want) {
		t.Errorf("tags.json has %d tags (%s), want %d", len(tags), knownVersions(tags), len(want))
	}
	for v, w := range want {
		tag, ok := tags[v]
		if !ok {
			t.Errorf("tags.json lacks %s", v)
			continue
		}
		if tag.TimeoutSeconds != w.timeout || tag.Database != w.database {
			t.Errorf("%s = %+v, want timeoutSeconds %d database %v", v, tag, w.timeout, w.database)
		}
		if strings.TrimSpace(tag.Summary) == "" {
			t.Errorf("%s has no summary", v)
		}
		if got, err := lookupTag(v); err != nil || got != tag {
			t.Errorf("lookupTag(%s) = %+v, %v", v, got, err)
		}
	}
}

func TestParseTagsRejectsBadTables(t *testing.T) {
	for name, data := range map[string]string{
		"not json":        `{`,
		"empty":           `{}`,
		"bad version":     `{"v2": {"timeoutSeconds": 0}}`,
		"negative":        `{"2.0": {"timeoutSeconds": -1}}`,
		"unknown field":   `{"2.0": {"timeout": 10}}`,
		"wrong type":      `{"2.0": {"timeoutSeconds": "10"}}`,
		"three part name": `{"2.0.1": {"timeoutSeconds": 0}}`,
	} {
		if _, err := parseTags([]byte(data)); err == nil {
			t.Errorf("%s: parseTags(%s) accepted it", name, data)
		}
	}
}

func TestUnknownVersionRejected(t *testing.T) {
	for _, v := range []string{"", "9.9", "2", "latest", " 2.0"} {
		_, err := lookupTag(v)
		if err == nil {
			t.Errorf("lookupTag(%q) accepted it", v)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "-X main.version=") || !strings.Contains(msg, "1.0, 2.0, 3.0, 4.0, 5.0") {
			t.Errorf("lookupTag(%q) error is not helpful: %s", v, msg)
		}
	}
}
