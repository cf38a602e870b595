// runc-nocap is an OCI runtime for the kind test harness on machines like the ones this project is built on,
// whose capability bounding set lacks CAP_SYS_RESOURCE. kind starts every node container with --privileged and
// execs into it with --privileged; runc then asks for every capability, the kernel refuses the missing one, and
// the container fails with "unable to apply caps: operation not permitted".
//
// It removes the capabilities the calling process cannot have from the spec runc is about to use (config.json of
// the bundle for create/run, the --process file for exec), then replaces itself with the real runc, argv
// unchanged. On a machine with a full bounding set there is nothing to remove and it changes nothing.
//
// It is registered only in the harness's docker daemon (see tasks/lab/engine/runtime.ts); a learner's kind never uses it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// capNames maps a capability number to its OCI name (linux/capability.h order).
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// missingCaps lists the known capabilities absent from this process's bounding set (CapBnd in /proc/self/status).
func missingCaps() (map[string]bool, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if !strings.HasPrefix(line, "CapBnd:") {
			continue
		}
		bnd, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "CapBnd:")), 16, 64)
		if err != nil {
			return nil, err
		}
		missing := map[string]bool{}
		for i, name := range capNames {
			if bnd&(1<<uint(i)) == 0 {
				missing[name] = true
			}
		}
		return missing, nil
	}
	return nil, fmt.Errorf("no CapBnd line in /proc/self/status")
}

// stripCaps removes the missing capabilities from an OCI process object's capability sets. It reports whether
// anything changed.
func stripCaps(process map[string]any, missing map[string]bool) bool {
	caps, ok := process["capabilities"].(map[string]any)
	if !ok {
		return false
	}
	changed := false
	for set, v := range caps {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(list))
		for _, c := range list {
			if name, ok := c.(string); ok && missing[name] {
				changed = true
				continue
			}
			kept = append(kept, c)
		}
		caps[set] = kept
	}
	return changed
}

// rewrite applies stripCaps to a JSON file; process selects the object that holds "capabilities".
func rewrite(path string, missing map[string]bool, process func(map[string]any) map[string]any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	p := process(doc)
	if p == nil || !stripCaps(p, missing) {
		return nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, info.Mode().Perm())
}

// flagValue finds --name VALUE, --name=VALUE or -short VALUE after the subcommand.
func flagValue(args []string, long, short string) string {
	for i, a := range args {
		switch {
		case a == "--"+long || a == "-"+long || (short != "" && a == "-"+short):
			if i+1 < len(args) {
				return args[i+1]
			}
		case strings.HasPrefix(a, "--"+long+"="):
			return strings.TrimPrefix(a, "--"+long+"=")
		case strings.HasPrefix(a, "-"+long+"="):
			return strings.TrimPrefix(a, "-"+long+"=")
		}
	}
	return ""
}

// subcommand is the first argument that is not a global flag (or a global flag's value).
func subcommand(args []string) (string, []string) {
	withValue := map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if withValue[a] {
				i++
			}
			continue
		}
		return a, args[i+1:]
	}
	return "", nil
}

func realRunc() string {
	if p := os.Getenv("RUNC_NOCAP_REAL"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc"} {
		if self, _ := os.Executable(); p == self {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "runc"
}

func main() {
	args := os.Args[1:]
	if err := prepare(args); err != nil {
		fmt.Fprintf(os.Stderr, "runc-nocap: %v\n", err)
		os.Exit(1)
	}
	real := realRunc()
	if err := syscall.Exec(real, append([]string{real}, args...), os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "runc-nocap: exec %s: %v\n", real, err)
		os.Exit(1)
	}
}

func prepare(args []string) error {
	cmd, rest := subcommand(args)
	if cmd != "create" && cmd != "run" && cmd != "exec" {
		return nil
	}
	missing, err := missingCaps()
	if err != nil || len(missing) == 0 {
		return err
	}
	if cmd == "exec" {
		p := flagValue(rest, "process", "p")
		if p == "" {
			return nil // capabilities given as flags (--cap) are the caller's business
		}
		return rewrite(p, missing, func(doc map[string]any) map[string]any { return doc })
	}
	bundle := flagValue(rest, "bundle", "b")
	if bundle == "" {
		bundle = "."
	}
	return rewrite(filepath.Join(bundle, "config.json"), missing, func(doc map[string]any) map[string]any {
		p, _ := doc["process"].(map[string]any)
		return p
	})
}
