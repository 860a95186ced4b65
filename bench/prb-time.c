/*
 * prb-time: run a command several times and report its wall time (median,
 * min, max, in milliseconds) and peak RSS (the largest of the command and
 * every descendant it waited for, from wait4).  With --banner HOST:PORT the
 * time is taken from fork to the first "220" line read from HOST:PORT, then
 * the instance is stopped; that is the start-up benchmark.
 *
 * Output: one tab-separated line
 *   LABEL  median_ms  min_ms  max_ms  peak_rss_kb  runs  samples(comma separated)  cpu_ms
 * where cpu_ms is the median user+system CPU time of the command and its
 * children (less sensitive to other load than wall time; 0 in banner mode).
 * Exit status 0; 1 when a run failed (its stderr is in the --log file).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

struct opts {
	int runs, warmup;
	const char *label, *prepare, *stop, *log, *banner;
	double timeout; /* seconds, banner mode */
	char **cmd;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Run "sh -c CMD" untimed; its output goes to the log. */
static int shell(const char *cmd, const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static pid_t spawn(char **cmd, const char *log)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0 && nul >= 0) {
			dup2(nul, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setpgid(0, 0);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	return pid;
}

/* Try once to read a "220" greeting from @sa; true when it came. */
static bool banner_once(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = false;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
		char buf[512];
		size_t n = 0;
		struct pollfd p = {fd, POLLIN, 0};
		/* the greeting may arrive in pieces; 30 s covers a slow DNS lookup */
		while (n < 4 && poll(&p, 1, 30000) == 1) {
			ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		ok = n >= 4 && !memcmp(buf, "220", 3);
		if (ok && write(fd, "QUIT\r\n", 6) < 0)
			ok = true; /* the banner came; a failed QUIT does not matter */
	}
	close(fd);
	return ok;
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	*sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* One measured run; returns its wall time in ms, or a negative value on failure. */
static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static double run_once(const struct opts *o, const struct sockaddr_in *sa, long *rss_kb,
		       double *cpu_ms)
{
	if (o->prepare && shell(o->prepare, o->log)) {
		fprintf(stderr, "prb-time: %s: the prepare command failed (see %s)\n", o->label,
			o->log);
		return -1;
	}
	double t0 = now_ms();
	pid_t pid = spawn(o->cmd, o->log);
	if (pid < 0)
		return -1;
	double t = -1;
	int st = 0;
	struct rusage ru = {0};
	if (!o->banner) {
		while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
			;
		t = now_ms() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "prb-time: %s: %s failed (status %d, see %s)\n", o->label,
				o->cmd[0], WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st), o->log);
			return -1;
		}
		*rss_kb = ru.ru_maxrss > *rss_kb ? ru.ru_maxrss : *rss_kb;
		*cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
		return t;
	}
	const struct timespec pause = {0, 1000000}; /* 1 ms between connection attempts */
	bool reaped = false;
	while (now_ms() - t0 < o->timeout * 1e3) {
		if (banner_once(sa)) {
			t = now_ms() - t0;
			break;
		}
		/* a start command that failed will not bring a banner */
		if (!reaped && wait4(pid, &st, WNOHANG, &ru) == pid) {
			reaped = true;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				fprintf(stderr, "prb-time: %s: %s failed (see %s)\n", o->label,
					o->cmd[0], o->log);
				break;
			}
		}
		nanosleep(&pause, NULL);
	}
	if (t < 0 && now_ms() - t0 >= o->timeout * 1e3)
		fprintf(stderr, "prb-time: %s: no 220 banner within %.0f s (see %s)\n", o->label,
			o->timeout, o->log);
	/* stop what was started: the stop command, or SIGTERM to the process group */
	if (o->stop && shell(o->stop, o->log))
		fprintf(stderr, "prb-time: %s: the stop command failed\n", o->label);
	if (!o->stop && !reaped)
		kill(-pid, SIGTERM);
	while (!reaped && wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	return t;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: prb-time [-n RUNS] [-w WARMUP] [-l LABEL] [-p PREPARE] [--log FILE]\n"
		"                [--banner ADDR:PORT [--stop CMD] [--timeout S]] -- CMD [ARG...]\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"runs", required_argument, NULL, 'n'},
		{"warmup", required_argument, NULL, 'w'},
		{"label", required_argument, NULL, 'l'},
		{"prepare", required_argument, NULL, 'p'},
		{"stop", required_argument, NULL, 's'},
		{"log", required_argument, NULL, 'o'},
		{"banner", required_argument, NULL, 'b'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {5, 1, "run", NULL, NULL, "/dev/null", NULL, 60, NULL};
	int c;
	while ((c = getopt_long(argc, argv, "+n:w:l:p:s:o:b:t:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.runs = (int)strtol(optarg, NULL, 10);
			break;
		case 'w':
			o.warmup = (int)strtol(optarg, NULL, 10);
			break;
		case 'l':
			o.label = optarg;
			break;
		case 'p':
			o.prepare = optarg;
			break;
		case 's':
			o.stop = optarg;
			break;
		case 'o':
			o.log = optarg;
			break;
		case 'b':
			o.banner = optarg;
			break;
		case 't':
			o.timeout = strtod(optarg, NULL);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind >= argc || o.runs < 1 || o.runs > MAX_RUNS || o.warmup < 0) {
		usage(stderr);
		return 64;
	}
	o.cmd = argv + optind;
	struct sockaddr_in sa;
	if (o.banner && parse_addr(o.banner, &sa)) {
		fprintf(stderr, "prb-time: --banner wants IPv4:PORT, not '%s'\n", o.banner);
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	double t[MAX_RUNS], cpu[MAX_RUNS] = {0}, unused;
	long rss = 0, ignored = 0;
	for (int i = 0; i < o.warmup; i++)
		if (run_once(&o, &sa, &ignored, &unused) < 0)
			return 1;
	for (int i = 0; i < o.runs; i++)
		if ((t[i] = run_once(&o, &sa, &rss, &cpu[i])) < 0)
			return 1;
	qsort(cpu, (size_t)o.runs, sizeof(double), cmp_double);
	double sorted[MAX_RUNS];
	memcpy(sorted, t, sizeof(double) * (size_t)o.runs);
	qsort(sorted, (size_t)o.runs, sizeof(double), cmp_double);
	double med = o.runs % 2 ? sorted[o.runs / 2]
				: (sorted[o.runs / 2 - 1] + sorted[o.runs / 2]) / 2;
	printf("%s\t%.1f\t%.1f\t%.1f\t%ld\t%d\t", o.label, med, sorted[0], sorted[o.runs - 1],
	       o.banner ? 0 : rss, o.runs);
	for (int i = 0; i < o.runs; i++)
		printf("%s%.1f", i ? "," : "", t[i]);
	printf("\t%.1f\n", o.banner ? 0.0 : cpu[o.runs / 2]);
	return 0;
}
