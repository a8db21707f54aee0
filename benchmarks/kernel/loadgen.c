/*
 * loadgen: N paced TCP flows over T threads, and a sink that discards them.
 *
 *   loadgen sink [-p PORT] [-t THREADS] [-d SECONDS]
 *   loadgen send -H HOST [-p PORT] -n FLOWS [-t THREADS] -r TOTAL_MBIT
 *                [-d SECONDS] [-w WARMUP] [-b SNDBUF]
 *
 * send opens FLOWS connections to HOST:PORT, sets SO_MAX_PACING_RATE on each
 * to TOTAL_MBIT/FLOWS, waits until all are connected, then writes as fast as
 * the sockets take it for WARMUP + SECONDS, counting only the last SECONDS
 * (the first packets of a flow leave before pacing has a rate to keep).  Each thread owns every THREADS-th flow
 * and an edge-triggered epoll.  At the end it prints one JSON object: bytes
 * acknowledged (tcp_info), achieved Mbit/s, per-flow min/median/max Mbit/s,
 * and the /proc/stat jiffies (all CPUs) spent during the timed window.
 * sink accepts on PORT (SO_REUSEPORT, one listener per thread), reads and
 * discards, and exits after SECONDS (0: on SIGTERM/SIGINT) printing the
 * bytes it received.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>	/* tcp_info with tcpi_bytes_acked */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

#define CHECK(x) do { if ((x) < 0) die("%s (line %d)", #x, __LINE__); } while (0)

static double now(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts));
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Jiffies of all CPUs: user nice system idle iowait irq softirq steal. */
#define NSTAT 8
static const char *stat_names[NSTAT] = {
	"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
};

static void read_stat(unsigned long long v[NSTAT])
{
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		die("/proc/stat");
	memset(v, 0, NSTAT * sizeof(v[0]));
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != NSTAT)
		die("parsing /proc/stat");
	fclose(f);
}

static void raise_nofile(long want)
{
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur >= (rlim_t)want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < (rlim_t)want)
		rl.rlim_max = want;	/* needs root */
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return;
	if (errno != EPERM)
		die("setrlimit");
	CHECK(getrlimit(RLIMIT_NOFILE, &rl));	/* not root: as far as allowed */
	rl.rlim_cur = rl.rlim_max;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
}

static struct {
	const char *host;
	int port, flows, threads, sndbuf;
	double mbit, seconds, warmup;
} opt = { .host = "127.0.0.1", .port = 5201, .flows = 1, .threads = 1, .seconds = 5 };

static volatile int stop;
static char buf[1 << 16];

/* ---- sink ---- */

static unsigned long long sink_bytes[64];

static void *sink_thread(void *arg)
{
	long id = (long)arg;
	int one = 1, lfd, ep;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(opt.port) };
	struct epoll_event ev = { .events = EPOLLIN }, evs[256];

	CHECK(lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
	CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	CHECK(setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
	CHECK(bind(lfd, (struct sockaddr *)&a, sizeof(a)));
	CHECK(listen(lfd, 65535));
	CHECK(ep = epoll_create1(0));
	ev.data.fd = lfd;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev));
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 100);

		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					ev.data.fd = c;
					CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
				}
				if (errno != EAGAIN && errno != ECONNABORTED)
					die("accept4");
				continue;
			}
			for (;;) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r > 0) {
					sink_bytes[id] += r;
					continue;
				}
				if (r < 0 && errno == EAGAIN)
					break;
				if (r < 0 && errno != ECONNRESET)
					die("read");
				CHECK(close(fd));	/* EOF or reset */
				break;
			}
		}
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int sink(void)
{
	pthread_t th[64];
	unsigned long long total = 0;
	double t0 = now();

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (long i = 0; i < opt.threads; i++)
		if ((errno = pthread_create(&th[i], NULL, sink_thread, (void *)i)))
			die("pthread_create");
	while (!stop && (opt.seconds <= 0 || now() - t0 < opt.seconds))
		usleep(50000);
	stop = 1;
	for (int i = 0; i < opt.threads; i++) {
		pthread_join(th[i], NULL);
		total += sink_bytes[i];
	}
	printf("{\"mode\": \"sink\", \"bytes_received\": %llu}\n", total);
	return 0;
}

/* ---- sender ---- */

struct flow {
	int fd;
	unsigned long long acked;
};

static struct flow *flows;
static pthread_barrier_t connected, go;
static double t_start, deadline;	/* the timed window, after the warm-up */

static unsigned long long bytes_acked(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	return ti.tcpi_bytes_acked;
}

static void *send_thread(void *arg)
{
	long id = (long)arg;
	int ep, pending = 0;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(opt.port) };
	struct epoll_event evs[256];
	uint32_t rate = (uint32_t)(opt.mbit * 1e6 / 8 / opt.flows);	/* bytes/s */
	double give_up;

	if (inet_pton(AF_INET, opt.host, &a.sin_addr) != 1)
		die("bad host %s", opt.host);
	CHECK(ep = epoll_create1(0));
	for (int i = id; i < opt.flows; i += opt.threads) {
		struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.u32 = i };
		int fd;

		CHECK(fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
		CHECK(setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof(rate)));
		if (opt.sndbuf)
			CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &opt.sndbuf, sizeof(opt.sndbuf)));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
			die("connect (flow %d)", i);
		CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
		flows[i].fd = fd;
		pending++;
	}
	/* Wait for every connection: the first EPOLLOUT of each. */
	give_up = now() + 60;
	while (pending > 0) {
		int n = epoll_wait(ep, evs, 256, 100);

		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n);
		for (int k = 0; k < n; k++) {
			int err = 0;
			socklen_t len = sizeof(err);
			struct flow *f = &flows[evs[k].data.u32];

			if (f->acked)	/* already counted as connected */
				continue;
			CHECK(getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len));
			if (err) {
				errno = err;
				die("connect to %s:%d", opt.host, opt.port);
			}
			f->acked = 1;
			pending--;
		}
		if (pending && now() > give_up) {
			errno = ETIMEDOUT;
			die("%d connections still pending after 60 s", pending);
		}
	}
	pthread_barrier_wait(&connected);
	pthread_barrier_wait(&go);
	/* Edge-triggered: prime every socket by writing until EAGAIN. */
	for (int first = 1, counting = 0; !stop && now() < deadline; first = 0) {
		int n;

		if (!counting && now() >= t_start) {	/* warm-up over: baseline */
			for (int i = id; i < opt.flows; i += opt.threads)
				flows[i].acked = bytes_acked(flows[i].fd);
			counting = 1;
		}
		if (first) {
			for (int i = id; i < opt.flows; i += opt.threads)
				while (write(flows[i].fd, buf, sizeof(buf)) > 0)
					;
			continue;
		}
		n = epoll_wait(ep, evs, 256, 20);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n);
		for (int k = 0; k < n; k++) {
			struct flow *f = &flows[evs[k].data.u32];
			ssize_t w;

			while ((w = write(f->fd, buf, sizeof(buf))) > 0)
				;
			if (w < 0 && errno != EAGAIN)
				die("write (flow %u)", evs[k].data.u32);
		}
	}
	/* Bytes acknowledged in the window, read at its end. */
	for (int i = id; i < opt.flows; i += opt.threads)
		flows[i].acked = bytes_acked(flows[i].fd) - flows[i].acked;
	return NULL;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static int sender(void)
{
	pthread_t th[64];
	unsigned long long s0[NSTAT], s1[NSTAT], total = 0, *per;
	double t0, t1, setup = now();

	flows = calloc(opt.flows, sizeof(*flows));
	per = calloc(opt.flows, sizeof(*per));
	if (!flows || !per)
		die("calloc");
	CHECK(pthread_barrier_init(&connected, NULL, opt.threads + 1));
	CHECK(pthread_barrier_init(&go, NULL, opt.threads + 1));
	for (long i = 0; i < opt.threads; i++)
		if ((errno = pthread_create(&th[i], NULL, send_thread, (void *)i)))
			die("pthread_create");
	pthread_barrier_wait(&connected);
	setup = now() - setup;
	t_start = now() + opt.warmup;
	deadline = t_start + opt.seconds;
	pthread_barrier_wait(&go);
	while ((t0 = now()) < t_start)
		usleep(1000);
	read_stat(s0);
	while (now() < deadline)
		usleep(10000);
	read_stat(s1);
	t1 = now();
	for (int i = 0; i < opt.threads; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < opt.flows; i++) {
		per[i] = flows[i].acked;
		total += per[i];
	}
	qsort(per, opt.flows, sizeof(*per), cmp_ull);
	printf("{\"mode\": \"send\", \"flows\": %d, \"threads\": %d, \"target_mbit\": %g, "
	       "\"pacing_bytes_per_s\": %u, \"warmup\": %g, \"seconds\": %.4f, \"connect_seconds\": %.3f, "
	       "\"bytes_acked\": %llu, \"mbit\": %.3f, "
	       "\"flow_mbit\": {\"min\": %.4f, \"median\": %.4f, \"max\": %.4f}, "
	       "\"clk_tck\": %ld, \"jiffies\": {",
	       opt.flows, opt.threads, opt.mbit, (uint32_t)(opt.mbit * 1e6 / 8 / opt.flows), opt.warmup,
	       t1 - t0, setup, total, total * 8 / (t1 - t0) / 1e6,
	       per[0] * 8 / (t1 - t0) / 1e6, per[opt.flows / 2] * 8 / (t1 - t0) / 1e6,
	       per[opt.flows - 1] * 8 / (t1 - t0) / 1e6, sysconf(_SC_CLK_TCK));
	for (int k = 0; k < NSTAT; k++)
		printf("%s\"%s\": %llu", k ? ", " : "", stat_names[k], s1[k] - s0[k]);
	printf("}}\n");
	/* Reset rather than close: no TIME_WAIT left to exhaust the next run's ports. */
	for (int i = 0; i < opt.flows; i++) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		CHECK(setsockopt(flows[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
		CHECK(close(flows[i].fd));
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen sink [-p PORT] [-t THREADS] [-d SECONDS]\n"
		"       loadgen send -H HOST [-p PORT] -n FLOWS [-t THREADS] -r TOTAL_MBIT\n"
		"                    [-d SECONDS] [-w WARMUP_SECONDS] [-b SNDBUF]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int c, is_sink;

	if (argc < 2)
		usage();
	is_sink = !strcmp(argv[1], "sink");
	if (!is_sink && strcmp(argv[1], "send"))
		usage();
	if (is_sink)
		opt.seconds = 0;
	optind = 2;
	while ((c = getopt(argc, argv, "H:p:n:t:r:d:b:w:")) != -1) {
		switch (c) {
		case 'H': opt.host = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 'n': opt.flows = atoi(optarg); break;
		case 't': opt.threads = atoi(optarg); break;
		case 'r': opt.mbit = atof(optarg); break;
		case 'd': opt.seconds = atof(optarg); break;
		case 'b': opt.sndbuf = atoi(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		default: usage();
		}
	}
	if (opt.threads < 1 || opt.threads > 64 || opt.flows < 1 || opt.port <= 0 ||
	    (!is_sink && opt.mbit <= 0))
		usage();
	raise_nofile(opt.flows + 1024 + (is_sink ? 65536 : 0));
	signal(SIGPIPE, SIG_IGN);
	return is_sink ? sink() : sender();
}
