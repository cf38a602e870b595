package main

import (
	"log"
	"net/http"
	"sync"
	"time"
)

// server answers the tutorial's two routes. Its clock is injectable so the
// timeout can be tested without sleeping.
type server struct {
	timeout time.Duration // 0: never time out
	started time.Time
	now     func() time.Time
	logger  *log.Logger
	once    sync.Once
}

func newServer(timeout time.Duration, now func() time.Time, logger *log.Logger) *server {
	return &server{timeout: timeout, started: now(), now: now, logger: logger}
}

// timedOut reports whether the timeout has passed, logging it once.
func (s *server) timedOut() bool {
	if s.timeout <= 0 || s.now().Sub(s.started) < s.timeout {
		return false
	}
	s.triggerTimeout()
	return true
}

// triggerTimeout logs "Timeout triggered" the first time it is called. A
// timer calls it at start+timeout so the line shows in the logs even when
// nobody calls GET /.
func (s *server) triggerTimeout() {
	s.once.Do(func() { s.logger.Printf("Timeout triggered after %s: GET / now answers 500", s.timeout) })
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if s.timedOut() {
			http.Error(w, "Im timed out", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("Hello gopher"))
	})
	mux.HandleFunc("GET /aligator", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("Hello Mr Aligator"))
	})
	return s.logRequests(mux)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.logger.Printf("%s %s %d %s from %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond), r.RemoteAddr)
	})
}
