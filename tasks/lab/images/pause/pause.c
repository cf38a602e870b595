/*
 * pause — the pod sandbox process of the lab cluster (image localhost/lab/pause:1.0).
 *
 * It holds a pod's namespaces open and does nothing else:
 *   - sleeps in pause() forever;
 *   - exits 0 on SIGINT or SIGTERM (as PID 1 no default action applies, so it must handle them itself);
 *   - reaps any zombie children on SIGCHLD (a pod sharing its PID namespace re-parents orphans to it).
 *
 * Built statically so the image can be FROM scratch:  gcc -Os -static -o pause pause.c
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_child(int sig)
{
	int saved = errno;
	(void)sig;
	/* Several exits can collapse into one SIGCHLD: collect all that are ready. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static int handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));
	(void)r;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
		say("lab pause 1.0\n");
		return 0;
	}
	if (handle(SIGINT, on_stop, 0) < 0 || handle(SIGTERM, on_stop, 0) < 0 ||
	    handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) < 0) {
		say("pause: cannot install signal handlers\n");
		return 1;
	}
	if (getpid() != 1)
		say("pause: warning: not running as PID 1\n");
	for (;;)
		pause();
	/* not reached */
	return 1;
}
