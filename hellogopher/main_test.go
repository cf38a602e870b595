package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// envMap turns a map into a getenv function.
func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// startRun runs run() on a free port until the test ends; it returns the base
// URL once the "listening on" line is logged.
func startRun(t *testing.T, version string, env map[string]string, logs *syncBuffer) string {
	t.Helper()
	env["PORT"] = "0"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, version, envMap(env), log.New(logs, "", 0)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after cancel", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not stop after cancel")
		}
	})
	listening := regexp.MustCompile(`hellogopher ` + regexp.QuoteMeta(version) + ` listening on :(\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(logs.String()); m != nil {
			return "http://127.0.0.1:" + m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("run ended before listening: %v\nlogs:\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no listening line in time:\n%s", logs.String())
	return ""
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestRunServes(t *testing.T) {
	var logs syncBuffer
	url := startRun(t, "2.0", map[string]string{}, &logs)
	if code, body := httpGet(t, url+"/"); code != 200 || body != "Hello gopher" {
		t.Errorf("GET / = %d %q", code, body)
	}
	if code, body := httpGet(t, url+"/aligator"); code != 200 || body != "Hello Mr Aligator" {
		t.Errorf("GET /aligator = %d %q", code, body)
	}
}

func TestRunRejectsUnknownVersion(t *testing.T) {
	for _, v := range []string{"", "6.0"} {
		err := run(context.Background(), v, envMap(map[string]string{"PORT": "0"}), log.New(io.Discard, "", 0))
		if err == nil || !strings.Contains(err.Error(), "version") {
			t.Errorf("run(%q) = %v, want a version error", v, err)
		}
	}
}

func TestRunVersion5NeedsServiceHost(t *testing.T) {
	err := run(context.Background(), "5.0", envMap(map[string]string{"PORT": "0", "DATABASE_USERNAME": "root", "DATABASE_NAME": "test"}), log.New(io.Discard, "", 0))
	if err == nil || !strings.Contains(err.Error(), "MYSQL_SERVICE_HOST is not set") {
		t.Errorf("run(5.0) without MYSQL_SERVICE_HOST = %v", err)
	}
}
