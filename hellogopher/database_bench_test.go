package main

import (
	"context"
	"io"
	"log"
	"testing"
	"time"
)

// How long a real give-up takes against a port nothing listens on (the
// figure the tests used to assert; here it is only measured):
//
//	go test -run '^$' -bench UnreachableGiveUp -benchtime 1x ./...
func BenchmarkUnreachableGiveUp(b *testing.B) {
	c := dbConfig{Host: "127.0.0.1", Port: closedPort(b), User: "root", Name: "test", ConnectTimeout: 2 * time.Second}
	for i := 0; i < b.N; i++ {
		if _, err := ensureDatabase(context.Background(), c, log.New(io.Discard, "", 0)); err == nil {
			b.Fatal("connected to nothing")
		}
	}
}
