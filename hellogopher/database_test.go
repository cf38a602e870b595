package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestDBConfigFromEnv(t *testing.T) {
	base := map[string]string{"MYSQL_SERVICE_HOST": "10.0.0.7", "DATABASE_USERNAME": "root", "DATABASE_PASSWORD": "pw", "DATABASE_NAME": "test"}
	c, err := dbConfigFromEnv(envMap(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.addr() != "10.0.0.7:3306" || c.User != "root" || c.Name != "test" || c.ConnectTimeout != 10*time.Second {
		t.Errorf("defaults: %+v", c)
	}

	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	c, err = dbConfigFromEnv(envMap(with("DATABASE_CONNECT_TIMEOUT", "2.5")))
	if err != nil || c.ConnectTimeout != 2500*time.Millisecond {
		t.Errorf("DATABASE_CONNECT_TIMEOUT=2.5: %v %v", c.ConnectTimeout, err)
	}
	c, err = dbConfigFromEnv(envMap(with("MYSQL_SERVICE_PORT", "3307")))
	if err != nil || c.addr() != "10.0.0.7:3307" {
		t.Errorf("MYSQL_SERVICE_PORT=3307: %v %v", c.addr(), err)
	}
	for k, v := range map[string]string{
		"MYSQL_SERVICE_HOST":       "",
		"MYSQL_SERVICE_PORT":       "tcp://10.0.0.7:3306",
		"DATABASE_USERNAME":        "",
		"DATABASE_NAME":            "te`st",
		"DATABASE_CONNECT_TIMEOUT": "soon",
	} {
		if _, err := dbConfigFromEnv(envMap(with(k, v))); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: err = %v, want one naming %s", k, v, err, k)
		}
	}
	for _, name := range []string{"", "a b", "x;DROP DATABASE y", strings.Repeat("a", 65), "tést"} {
		if _, err := dbConfigFromEnv(envMap(with("DATABASE_NAME", name))); err == nil {
			t.Errorf("DATABASE_NAME=%q accepted", name)
		}
	}
}

// testServer returns the MariaDB/MySQL that the database tests run against.
func testServer(t *testing.T) dbConfig {
	t.Helper()
	c := dbConfig{
		Host:           os.Getenv("TEST_MYSQL_HOST"),
		Port:           os.Getenv("TEST_MYSQL_PORT"),
		User:           os.Getenv("TEST_MYSQL_USER"),
		Password:       os.Getenv("TEST_MYSQL_PASSWORD"),
		ConnectTimeout: 10 * time.Second,
	}
	if c.Host == "" || c.Port == "" || c.User == "" {
		msg := `TEST_MYSQL_HOST/PORT/USER/PASSWORD are not set: start a throwaway MariaDB from the repo root with  eval "$(test/support/mariadb.sh start)"`
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return c
}

// freshName returns a database name unused so far, dropped when the test ends.
func freshName(t *testing.T, c dbConfig) string {
	t.Helper()
	name := fmt.Sprintf("hg_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000_000)
	t.Cleanup(func() {
		db := openAdmin(t, c)
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS `" + name + "`"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return name
}

func openAdmin(t *testing.T, c dbConfig) *sql.DB {
	t.Helper()
	mc := mysql.NewConfig()
	mc.User, mc.Passwd, mc.Net, mc.Addr = c.User, c.Password, "tcp", c.addr()
	db, err := sql.Open("mysql", mc.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func databaseExists(t *testing.T, c dbConfig, name string) bool {
	t.Helper()
	db := openAdmin(t, c)
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestEnsureDatabaseCreatesThenReuses(t *testing.T) {
	c := testServer(t)
	c.Name = freshName(t, c)
	var logs syncBuffer
	logger := log.New(&logs, "", 0)

	created, err := ensureDatabase(context.Background(), c, logger)
	if err != nil || !created {
		t.Fatalf("first ensureDatabase = %v, %v; want created", created, err)
	}
	if !databaseExists(t, c, c.Name) {
		t.Fatalf("database %s not there after the first start", c.Name)
	}
	// Second start against the same server: "0 rows affected" is success.
	created, err = ensureDatabase(context.Background(), c, logger)
	if err != nil || created {
		t.Fatalf("second ensureDatabase = %v, %v; want already existing, no error", created, err)
	}
	if n := strings.Count(logs.String(), "connected to database"); n != 2 {
		t.Errorf("want 2 'connected to database' lines, got %d:\n%s", n, logs.String())
	}
}

func TestRunVersion5TwiceAgainstRealServer(t *testing.T) {
	c := testServer(t)
	name := freshName(t, c)
	env := func() map[string]string {
		return map[string]string{
			"MYSQL_SERVICE_HOST": c.Host, "MYSQL_SERVICE_PORT": c.Port,
			"DATABASE_USERNAME": c.User, "DATABASE_PASSWORD": c.Password, "DATABASE_NAME": name,
		}
	}
	for i, want := range []string{"created database " + name, "database " + name + " already exists"} {
		t.Run(fmt.Sprintf("start%d", i+1), func(t *testing.T) {
			var logs syncBuffer
			url := startRun(t, "5.0", env(), &logs)
			if code, body := httpGet(t, url+"/"); code != 200 || body != "Hello gopher" {
				t.Errorf("GET / = %d %q", code, body)
			}
			for _, line := range []string{"connected to database", want} {
				if !strings.Contains(logs.String(), line) {
					t.Errorf("logs lack %q:\n%s", line, logs.String())
				}
			}
		})
	}
}

// countingProxy forwards TCP connections to target and counts them: how many
// times a client really tried to connect.
func countingProxy(t *testing.T, target string) (addr string, count func() int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() {
				defer in.Close()
				out, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer out.Close()
				go io.Copy(out, in)
				io.Copy(in, out)
			}()
		}
	}()
	return ln.Addr().String(), n.Load
}

// steppingClock moves only when the retry loop waits on it: After(d) advances
// the time by d and fires at once, so a deadline is reached without waiting.
type steppingClock struct {
	mu     sync.Mutex
	now    time.Time
	waited time.Duration
	waits  int
}

func (f *steppingClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *steppingClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.waited += d
	f.waits++
	ch := make(chan time.Time, 1)
	ch <- f.now
	return ch
}

// blockingClock never fires: only the context can end a wait.
type blockingClock struct{ waits atomic.Int64 }

func (*blockingClock) Now() time.Time { return time.Unix(0, 0) }
func (b *blockingClock) After(time.Duration) <-chan time.Time {
	b.waits.Add(1)
	return nil
}

func TestWrongPasswordFailsClearly(t *testing.T) {
	c := testServer(t)
	proxy, connections := countingProxy(t, c.addr())
	c.Host, c.Port, _ = strings.Cut(proxy, ":")
	c.Name = "never_created_" + fmt.Sprint(os.Getpid())
	c.Password = "Wr0ng-" + c.Password + "-pw"
	var logs syncBuffer
	clk := &steppingClock{now: time.Unix(1_000_000, 0)}

	_, err := ensureDatabaseWith(context.Background(), c, log.New(&logs, "", 0), clk)
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	// Access denied is not retried: one connection, no wait, no "not answering yet".
	if n := connections(); n != 1 {
		t.Errorf("%d connections to the server, want exactly 1 (access denied must not be retried)", n)
	}
	if clk.waits != 0 || strings.Contains(logs.String(), "not answering yet") {
		t.Errorf("retried after access denied (%d waits):\n%s", clk.waits, logs.String())
	}
	msg := err.Error()
	if want := fmt.Sprintf("cannot connect to database at %s as %s: ", c.addr(), c.User); !strings.HasPrefix(msg, want) {
		t.Errorf("error %q does not start with %q", msg, want)
	}
	if !strings.Contains(msg, "Access denied") {
		t.Errorf("error does not say why: %q", msg)
	}
	if strings.Contains(msg, c.Password) || strings.Contains(logs.String(), c.Password) {
		t.Errorf("password leaked:\nerr: %s\nlogs: %s", msg, logs.String())
	}

	// The same through run(), as the binary does it.
	err = run(context.Background(), "5.0", envMap(map[string]string{
		"PORT": "0", "MYSQL_SERVICE_HOST": c.Host, "MYSQL_SERVICE_PORT": c.Port,
		"DATABASE_USERNAME": c.User, "DATABASE_PASSWORD": c.Password, "DATABASE_NAME": c.Name,
	}), log.New(&logs, "", 0))
	if err == nil || strings.Contains(err.Error(), c.Password) || strings.Contains(logs.String(), c.Password) {
		t.Errorf("run with wrong password: err %v\nlogs:\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), "listening on") {
		t.Errorf("served despite the database failure:\n%s", logs.String())
	}
	if n := connections(); n != 2 {
		t.Errorf("run() made %d connections, want exactly 1 (access denied must not be retried)", n-1)
	}
}

// closedPort returns a local port nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return port
}

func TestUnreachableServerGivesUpAtTheDeadline(t *testing.T) {
	port := closedPort(t)
	c := dbConfig{Host: "127.0.0.1", Port: port, User: "root", Password: "s3cret-pw", Name: "test", ConnectTimeout: 2500 * time.Millisecond}
	var logs syncBuffer
	clk := &steppingClock{now: time.Unix(1_000_000, 0)}
	_, err := ensureDatabaseWith(context.Background(), c, log.New(&logs, "", 0), clk)
	if err == nil {
		t.Fatal("connected to nothing")
	}
	// One second between attempts, and none that would end past the deadline:
	// attempts at 0 s, 1 s and 2 s (3 s would be past 2.5 s), then it gives up.
	if clk.waited != 2*time.Second || clk.waits != 2 {
		t.Errorf("waited %s in %d waits, want 2s in 2", clk.waited, clk.waits)
	}
	for _, want := range []string{"(attempt 1)", "(attempt 2)"} {
		if !strings.Contains(logs.String(), "not answering yet "+want) {
			t.Errorf("no retry %s logged:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "(attempt 3)") {
		t.Errorf("retried past the deadline:\n%s", logs.String())
	}
	if !strings.HasPrefix(err.Error(), "cannot connect to database at 127.0.0.1:"+port+" as root: ") {
		t.Errorf("unclear error: %v", err)
	}
	if strings.Contains(err.Error()+logs.String(), c.Password) {
		t.Error("password leaked")
	}
}

func TestConnectTimeoutZeroTriesOnce(t *testing.T) {
	c := dbConfig{Host: "127.0.0.1", Port: closedPort(t), User: "root", Name: "test", ConnectTimeout: 0}
	var logs syncBuffer
	clk := &steppingClock{now: time.Unix(1_000_000, 0)}
	if _, err := ensureDatabaseWith(context.Background(), c, log.New(&logs, "", 0), clk); err == nil {
		t.Fatal("connected to nothing")
	}
	if clk.waits != 0 {
		t.Errorf("DATABASE_CONNECT_TIMEOUT=0 waited %d times:\n%s", clk.waits, logs.String())
	}
}

func TestCancelledContextEndsTheRetries(t *testing.T) {
	c := dbConfig{Host: "127.0.0.1", Port: closedPort(t), User: "root", Name: "test", ConnectTimeout: time.Hour}
	var logs syncBuffer
	clk := &blockingClock{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ensureDatabaseWith(ctx, c, log.New(&logs, "", 0), clk)
		done <- err
	}()
	// the clock never fires, so only the cancel below can end the first wait
	for clk.waits.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("no error after the context was cancelled")
	}
	if n := clk.waits.Load(); n != 1 {
		t.Errorf("waited %d times after the cancel, want 1", n)
	}
}
