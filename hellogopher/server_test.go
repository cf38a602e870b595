package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func get(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, strings.TrimSpace(string(body))
}

func TestHandlers(t *testing.T) {
	var logs syncBuffer
	s := newServer(0, time.Now, log.New(&logs, "", 0))
	h := s.handler()
	for _, c := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/", 200, "Hello gopher"},
		{"GET", "/aligator", 200, "Hello Mr Aligator"},
		{"GET", "/nope", 404, "404 page not found"},
		{"GET", "/aligator/x", 404, "404 page not found"},
		{"POST", "/", 405, "Method Not Allowed"},
	} {
		code, body := get(t, h, c.method, c.path)
		if code != c.code || body != c.body {
			t.Errorf("%s %s = %d %q, want %d %q", c.method, c.path, code, body, c.code, c.body)
		}
	}
	if !strings.Contains(logs.String(), "GET /aligator 200") || !strings.Contains(logs.String(), "GET /nope 404") {
		t.Errorf("requests not logged:\n%s", logs.String())
	}
}

func TestTimeout(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	var logs syncBuffer
	s := newServer(10*time.Second, clock.now, log.New(&logs, "", 0))
	h := s.handler()

	clock.advance(9*time.Second + 999*time.Millisecond)
	if code, body := get(t, h, "GET", "/"); code != 200 || body != "Hello gopher" {
		t.Fatalf("before timeout: %d %q", code, body)
	}
	if strings.Contains(logs.String(), "Timeout triggered") {
		t.Fatalf("timeout logged too early:\n%s", logs.String())
	}

	clock.advance(time.Millisecond)
	for i := 0; i < 3; i++ {
		if code, body := get(t, h, "GET", "/"); code != 500 || body != "Im timed out" {
			t.Fatalf("after timeout: %d %q", code, body)
		}
	}
	if code, body := get(t, h, "GET", "/aligator"); code != 200 || body != "Hello Mr Aligator" {
		t.Errorf("/aligator after timeout: %d %q", code, body)
	}
	s.triggerTimeout() // what the start-up timer calls: must not log a second time
	if n := strings.Count(logs.String(), "Timeout triggered"); n != 1 {
		t.Errorf("Timeout triggered logged %d times, want 1:\n%s", n, logs.String())
	}
}

func TestTimerLogsTimeoutWithoutRequests(t *testing.T) {
	var logs syncBuffer
	s := newServer(time.Hour, time.Now, log.New(&logs, "", 0))
	// run arms time.AfterFunc(timeout, s.triggerTimeout); fire it directly.
	s.triggerTimeout()
	if !strings.Contains(logs.String(), "Timeout triggered") {
		t.Errorf("no Timeout triggered line:\n%s", logs.String())
	}
}

func TestNoTimeoutForever(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	s := newServer(0, clock.now, log.New(io.Discard, "", 0))
	clock.advance(100 * 365 * 24 * time.Hour)
	if code, body := get(t, s.handler(), "GET", "/"); code != 200 || body != "Hello gopher" {
		t.Errorf("timeout 0 after 100 years: %d %q", code, body)
	}
}
