/*
 * test/bench/live_latency.c — commit-to-delivery latency of a live proc, and of a plain
 * SKIP LOCKED queue woken by NOTIFY, for test/bench/run.sh (case 9).
 *
 *   live_latency pipeproc <iterations> <topic>
 *   live_latency plain    <iterations> <table>
 *
 * Two connections (libpq, connection parameters from the environment): a writer and a
 * listener. One log in flight at a time; per iteration:
 *   t0  the writer sends its transaction: pipeproc.commit(topic, body) (autocommit), or
 *       INSERT into the table + NOTIFY (one implicit transaction);
 *   t1  the writer has its reply (committed);
 *   t2  the listener, waiting in select() on its socket, has the notification;
 *   t3  the listener has taken the log and acked it: BEGIN; proc(topic, name); ack(name);
 *       COMMIT — or the SKIP LOCKED pop (DELETE ... RETURNING).
 * Prints one line: "<n> <median t1-t0> <median t2-t0> <p99 t2-t0> <median t3-t0> <p99 t3-t0>
 * <empty>" in milliseconds, where <empty> counts claims that came back empty after a
 * notification (the listener then claims again). Exit status 1 on any error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <libpq-fe.h>

#define BODY "{\"n\": 1, \"payload\": \"pipeproc benchmark body of about one hundred bytes, all in one log ....\"}"
#define PROC_NAME "bench_live"
#define CHANNEL_PLAIN "bench_live"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
die(PGconn *conn, const char *what)
{
	fprintf(stderr, "live_latency: %s: %s", what, conn ? PQerrorMessage(conn) : "\n");
	exit(1);
}

/* Run a statement; fail unless it returns the expected status.  Returns the result. */
static PGresult *
run(PGconn *conn, const char *sql, int nparams, const char *const *params, ExecStatusType want)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != want)
	{
		fprintf(stderr, "live_latency: %s: %s", sql, PQresultErrorMessage(res));
		exit(1);
	}
	return res;
}

static void
run_clear(PGconn *conn, const char *sql, int nparams, const char *const *params, ExecStatusType want)
{
	PQclear(run(conn, sql, nparams, params, want));
}

/* Drop notifications already received; return how many. */
static int
drain(PGconn *conn)
{
	PGnotify   *n;
	int			count = 0;

	if (!PQconsumeInput(conn))
		die(conn, "reading the listener's socket");
	while ((n = PQnotifies(conn)) != NULL)
	{
		PQfreemem(n);
		count++;
	}
	return count;
}

/* Wait until the listener has a notification (5 s at most). */
static void
wait_notify(PGconn *conn)
{
	double		deadline = now_ms() + 5000.0;
	int			sock = PQsocket(conn);

	for (;;)
	{
		fd_set		in;
		struct timeval tv;
		double		left;

		if (drain(conn) > 0)
			return;
		left = deadline - now_ms();
		if (left <= 0)
		{
			fprintf(stderr, "live_latency: no notification within 5 s\n");
			exit(1);
		}
		FD_ZERO(&in);
		FD_SET(sock, &in);
		tv.tv_sec = (time_t) (left / 1000.0);
		tv.tv_usec = (suseconds_t) ((left - tv.tv_sec * 1000.0) * 1000.0);
		if (select(sock + 1, &in, NULL, NULL, &tv) < 0 && errno != EINTR)
		{
			perror("live_latency: select");
			exit(1);
		}
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n values; sorts them. */
static double
quantile(double *v, int n, double q)
{
	int			i;

	qsort(v, n, sizeof(double), cmp_double);
	i = (int) (q * (n - 1) + 0.5);
	return v[i];
}

int
main(int argc, char **argv)
{
	const char *mode,
			   *target;
	int			iterations,
				i,
				empty = 0,
				pipeproc;
	PGconn	   *writer,
			   *listener;
	double	   *commit_ms,
			   *notify_ms,
			   *deliver_ms;
	char		listen_sql[512];

	if (argc != 4 || (strcmp(argv[1], "pipeproc") != 0 && strcmp(argv[1], "plain") != 0)
		|| (iterations = atoi(argv[2])) < 1)
	{
		fprintf(stderr, "usage: live_latency pipeproc|plain <iterations> <topic|table>\n");
		return 2;
	}
	mode = argv[1];
	target = argv[3];
	pipeproc = strcmp(mode, "pipeproc") == 0;

	writer = PQconnectdb("");
	if (PQstatus(writer) != CONNECTION_OK)
		die(writer, "connecting the writer");
	listener = PQconnectdb("");
	if (PQstatus(listener) != CONNECTION_OK)
		die(listener, "connecting the listener");

	if (pipeproc)
	{
		const char *p[1] = {target};
		PGresult   *res = run(listener,
							  "SELECT channel FROM pipeproc.live_proc($1, name => '" PROC_NAME "')",
							  1, p, PGRES_TUPLES_OK);
		char	   *ident;

		if (PQntuples(res) != 1)
			die(NULL, "live_proc returned no channel");
		ident = PQescapeIdentifier(listener, PQgetvalue(res, 0, 0), strlen(PQgetvalue(res, 0, 0)));
		if (ident == NULL)
			die(listener, "quoting the channel");
		snprintf(listen_sql, sizeof(listen_sql), "LISTEN %s", ident);
		PQfreemem(ident);
		PQclear(res);
	}
	else
		snprintf(listen_sql, sizeof(listen_sql), "LISTEN " CHANNEL_PLAIN);
	run_clear(listener, listen_sql, 0, NULL, PGRES_COMMAND_OK);

	commit_ms = malloc(sizeof(double) * iterations);
	notify_ms = malloc(sizeof(double) * iterations);
	deliver_ms = malloc(sizeof(double) * iterations);
	if (!commit_ms || !notify_ms || !deliver_ms)
		die(NULL, "out of memory");

	for (i = 0; i < iterations; i++)
	{
		double		t0,
					t1,
					t2,
					t3;
		const char *p[2] = {target, BODY};
		char		insert_sql[512];

		/* one simple-protocol string: INSERT and NOTIFY commit together */
		snprintf(insert_sql, sizeof(insert_sql),
				 "INSERT INTO %s (body) VALUES ('%s'); NOTIFY " CHANNEL_PLAIN, target, BODY);
		drain(listener);
		t0 = now_ms();
		if (pipeproc)
			run_clear(writer, "SELECT pipeproc.commit($1, $2::jsonb)", 2, p, PGRES_TUPLES_OK);
		else
		{
			PGresult   *res = PQexec(writer, insert_sql);

			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				die(writer, "insert + notify");
			PQclear(res);
		}
		t1 = now_ms();
		wait_notify(listener);
		t2 = now_ms();
		for (;;)
		{
			PGresult   *res;
			int			rows;

			if (pipeproc)
			{
				const char *q[2] = {target, PROC_NAME};
				const char *a[1] = {PROC_NAME};

				run_clear(listener, "BEGIN", 0, NULL, PGRES_COMMAND_OK);
				res = run(listener, "SELECT * FROM pipeproc.proc($1, $2)", 2, q, PGRES_TUPLES_OK);
				rows = PQntuples(res);
				PQclear(res);
				if (rows > 0)
					run_clear(listener, "SELECT pipeproc.ack($1)", 1, a, PGRES_TUPLES_OK);
				run_clear(listener, "COMMIT", 0, NULL, PGRES_COMMAND_OK);
			}
			else
			{
				char		pop_sql[512];

				snprintf(pop_sql, sizeof(pop_sql),
						 "DELETE FROM %s WHERE id = (SELECT id FROM %s ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING *",
						 target, target);
				res = run(listener, pop_sql, 0, NULL, PGRES_TUPLES_OK);
				rows = PQntuples(res);
				PQclear(res);
			}
			if (rows > 0)
				break;
			if (++empty > 1000)
				die(NULL, "1000 empty claims after notifications");
		}
		t3 = now_ms();
		commit_ms[i] = t1 - t0;
		notify_ms[i] = t2 - t0;
		deliver_ms[i] = t3 - t0;
	}

	{
		double		c50 = quantile(commit_ms, iterations, 0.5);
		double		n50 = quantile(notify_ms, iterations, 0.5);
		double		n99 = quantile(notify_ms, iterations, 0.99);
		double		d50 = quantile(deliver_ms, iterations, 0.5);
		double		d99 = quantile(deliver_ms, iterations, 0.99);

		printf("%d %.3f %.3f %.3f %.3f %.3f %d\n", iterations, c50, n50, n99, d50, d99, empty);
	}
	PQfinish(writer);
	PQfinish(listener);
	return 0;
}
