package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// tags.json is the single source of truth for the image tags; the
// TypeScript build task reads the same file.
//
//go:embed tags.json
var tagsJSON []byte

// Tag is the behaviour baked into one image tag.
type Tag struct {
	TimeoutSeconds int    `json:"timeoutSeconds"`
	Database       bool   `json:"database"`
	Summary        string `json:"summary"`
}

// Timeout is how long GET / answers 200 after start; 0 means forever.
func (t Tag) Timeout() time.Duration { return time.Duration(t.TimeoutSeconds) * time.Second }

var versionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// parseTags decodes and checks a tags table.
func parseTags(data []byte) (map[string]Tag, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var tags map[string]Tag
	if err := dec.Decode(&tags); err != nil {
		return nil, fmt.Errorf("tags.json: %w", err)
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("tags.json: no tags")
	}
	for v, t := range tags {
		if !versionPattern.MatchString(v) {
			return nil, fmt.Errorf("tags.json: version %q is not MAJOR.MINOR", v)
		}
		if t.TimeoutSeconds < 0 {
			return nil, fmt.Errorf("tags.json: version %s: negative timeoutSeconds", v)
		}
	}
	return tags, nil
}

// knownVersions lists the versions of a table, sorted.
func knownVersions(tags map[string]Tag) string {
	vs := make([]string, 0, len(tags))
	for v := range tags {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return strings.Join(vs, ", ")
}

// lookupTag returns the behaviour of the version compiled into the binary.
func lookupTag(version string) (Tag, error) {
	tags, err := parseTags(tagsJSON)
	if err != nil {
		return Tag{}, err
	}
	if version == "" {
		return Tag{}, fmt.Errorf(`no version compiled in: build with -ldflags "-X main.version=<tag>" (known: %s)`, knownVersions(tags))
	}
	t, ok := tags[version]
	if !ok {
		return Tag{}, fmt.Errorf("unknown version %q: build with -X main.version=<tag> (known: %s)", version, knownVersions(tags))
	}
	return t, nil
}
