/* Host baseline for time.timer_fire_latency_avg: how late a POSIX timer
 * signal arrives on this host when a process arms it 50 us ahead and waits
 * in sigsuspend -- the same path arch-um's timer interrupt takes. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

static volatile long long fired_at;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_alarm(int sig)
{
	(void)sig;
	fired_at = now_ns();
}

int main(void)
{
	enum { N = 2000 };
	struct sigevent sev;
	struct itimerspec its;
	sigset_t block, old;
	long long sum = 0;
	timer_t timer;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	signal(SIGALRM, on_alarm);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer)) {
		perror("timer_create");
		return 1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	for (int i = 0; i < N; i++) {
		long long deadline;

		sigprocmask(SIG_BLOCK, &block, &old);
		deadline = now_ns() + 50000;
		memset(&its, 0, sizeof(its));
		its.it_value.tv_sec = deadline / 1000000000LL;
		its.it_value.tv_nsec = deadline % 1000000000LL;
		fired_at = 0;
		timer_settime(timer, TIMER_ABSTIME, &its, NULL);
		while (!fired_at)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		sum += fired_at - deadline;
	}
	printf("host.timer_signal_latency_avg %.2f ns\n", (double)sum / N);
	return 0;
}
