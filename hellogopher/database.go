package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// dbConfig is where tag 5.0 finds MySQL. Kubernetes injects
// MYSQL_SERVICE_HOST/PORT into pods created after the "mysql" Service.
type dbConfig struct {
	Host, Port     string
	User, Password string
	Name           string
	ConnectTimeout time.Duration // how long to keep retrying a server that does not answer yet
}

func (c dbConfig) addr() string { return net.JoinHostPort(c.Host, c.Port) }

// Unquoted MySQL identifier characters; anything else is refused rather than escaped.
var dbNamePattern = regexp.MustCompile(`^[A-Za-z0-9_$]{1,64}$`)

func dbConfigFromEnv(getenv func(string) string) (dbConfig, error) {
	c := dbConfig{
		Host:           getenv("MYSQL_SERVICE_HOST"),
		Port:           getenv("MYSQL_SERVICE_PORT"),
		User:           getenv("DATABASE_USERNAME"),
		Password:       getenv("DATABASE_PASSWORD"),
		Name:           getenv("DATABASE_NAME"),
		ConnectTimeout: 10 * time.Second,
	}
	if c.Host == "" {
		return c, errors.New("MYSQL_SERVICE_HOST is not set: create the mysql Service before this pod (Kubernetes only injects it into pods started after the Service), or set it by hand")
	}
	if c.Port == "" {
		c.Port = "3306"
	}
	if p, err := strconv.Atoi(c.Port); err != nil || p < 1 || p > 65535 {
		return c, fmt.Errorf("MYSQL_SERVICE_PORT=%q is not a port number", c.Port)
	}
	if c.User == "" {
		return c, errors.New("DATABASE_USERNAME is not set")
	}
	if !dbNamePattern.MatchString(c.Name) {
		return c, fmt.Errorf("DATABASE_NAME=%q is not a valid database name (1-64 of A-Z a-z 0-9 _ $)", c.Name)
	}
	if s := getenv("DATABASE_CONNECT_TIMEOUT"); s != "" {
		secs, err := strconv.ParseFloat(s, 64)
		if err != nil || secs < 0 {
			return c, fmt.Errorf("DATABASE_CONNECT_TIMEOUT=%q is not a number of seconds", s)
		}
		c.ConnectTimeout = time.Duration(secs * float64(time.Second))
	}
	return c, nil
}

// isPermanent tells errors that retrying will not fix (wrong user or password,
// no privilege) from a server that is still starting.
func isPermanent(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1044, 1045, 1698: // access denied to database / for user / without password
			return true
		}
	}
	return false
}

// clock is what the connect retry loop reads the time from and waits with;
// tests pass a fake one to drive the deadline without waiting for it.
type clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// ensureDatabase connects (retrying for up to c.ConnectTimeout) and runs
// CREATE DATABASE IF NOT EXISTS. created is false when the database was
// already there, which is success too. Errors never contain the password.
func ensureDatabase(ctx context.Context, c dbConfig, logger *log.Logger) (created bool, err error) {
	return ensureDatabaseWith(ctx, c, logger, realClock{})
}

func ensureDatabaseWith(ctx context.Context, c dbConfig, logger *log.Logger, clk clock) (created bool, err error) {
	defer func() {
		if err != nil && c.Password != "" {
			err = errors.New(strings.ReplaceAll(err.Error(), c.Password, "*****"))
		}
	}()
	mc := mysql.NewConfig()
	mc.User, mc.Passwd = c.User, c.Password
	mc.Net, mc.Addr = "tcp", c.addr()
	mc.Timeout = 3 * time.Second
	db, err := sql.Open("mysql", mc.FormatDSN())
	if err != nil {
		return false, fmt.Errorf("cannot connect to database at %s as %s: %w", c.addr(), c.User, err)
	}
	defer db.Close()

	deadline := clk.Now().Add(c.ConnectTimeout)
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			break
		}
		if isPermanent(err) || ctx.Err() != nil || clk.Now().Add(time.Second).After(deadline) {
			return false, fmt.Errorf("cannot connect to database at %s as %s: %w", c.addr(), c.User, err)
		}
		logger.Printf("database at %s not answering yet (attempt %d): %v", c.addr(), attempt, err)
		select {
		case <-ctx.Done():
		case <-clk.After(time.Second):
		}
	}
	logger.Printf("connected to database at %s as %s", c.addr(), c.User)

	// The name was validated against dbNamePattern, so backtick quoting is safe.
	res, err := db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+c.Name+"`")
	if err != nil {
		return false, fmt.Errorf("cannot create database %s at %s as %s: %w", c.Name, c.addr(), c.User, err)
	}
	// 1 row affected: created; 0 rows (plus a warning): it already existed.
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("create database %s: %w", c.Name, err)
	}
	return n > 0, nil
}
