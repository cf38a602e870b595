// Command hellogopher is the app of "Learn Kubernetes the easy way": one
// source built into five image tags (see tags.json), the tag chosen at build
// time with -ldflags "-X main.version=<tag>".
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is set at build time: -ldflags "-X main.version=2.0".
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := log.New(os.Stdout, "", log.LstdFlags)
	if err := run(ctx, version, os.Getenv, logger); err != nil {
		logger.Print(err)
		os.Exit(1)
	}
}

// run starts the version's behaviour and serves until ctx is cancelled.
func run(ctx context.Context, version string, getenv func(string) string, logger *log.Logger) error {
	tag, err := lookupTag(version)
	if err != nil {
		return err
	}
	logger.Printf("hellogopher %s starting: %s", version, tag.Summary)

	if tag.Database {
		cfg, err := dbConfigFromEnv(getenv)
		if err != nil {
			return err
		}
		created, err := ensureDatabase(ctx, cfg, logger)
		if err != nil {
			return err
		}
		if created {
			logger.Printf("created database %s", cfg.Name)
		} else {
			logger.Printf("database %s already exists", cfg.Name)
		}
	}

	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return fmt.Errorf("cannot listen on :%s: %w", port, err)
	}
	s := newServer(tag.Timeout(), time.Now, logger)
	if tag.TimeoutSeconds > 0 {
		t := time.AfterFunc(tag.Timeout(), s.triggerTimeout)
		defer t.Stop()
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	logger.Printf("hellogopher %s listening on :%d", version, ln.Addr().(*net.TCPAddr).Port)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
