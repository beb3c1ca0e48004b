/* jobs: a small job runner whose structs samples/c/jobs.bt reads.
 *
 * Build it, from the repository root (no -g needed: the script defines the types it reads):
 *   cc -O1 -o /tmp/jobs samples/c/jobs/jobs.c
 * Run it as
 *   /tmp/jobs [ROUNDS]
 * Each round (3 by default, 10 ms apart) runs every job of the queue once, in order. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct owner {
  char name[16];
  unsigned int uid;
};

struct job {
  unsigned long id;
  struct owner owner;
  unsigned int priority : 3; /* 0 to 7 */
  unsigned int urgent : 1;
  int nice : 4;              /* signed: -8 to 7 */
  enum job_state state;
  unsigned short cost_ms[4]; /* the times of the last four runs, the latest first */
  struct job *next;
};

static unsigned long runs;

/* Runs one job: its cost depends on its id, its priority and how many jobs ran before it; every
 * fourth job fails. */
__attribute__((noinline)) void run_job(struct job *j) {
  j->state = JOB_RUNNING;
  memmove(&j->cost_ms[1], &j->cost_ms[0], 3 * sizeof j->cost_ms[0]);
  j->cost_ms[0] = (unsigned short)((j->id * 7 + runs++ * 3) % 20 + j->priority);
  j->state = j->id % 4 == 0 ? JOB_FAILED : JOB_DONE;
}

/* Runs every job of the queue that starts at `head`. */
__attribute__((noinline)) void run_queue(struct job *head) {
  for (struct job *j = head; j; j = j->next) run_job(j);
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  static struct job jobs[] = {
      {.id = 1, .owner = {"alice", 1000}, .priority = 5, .nice = 0},
      {.id = 2, .owner = {"bob", 1001}, .priority = 2, .nice = -5},
      {.id = 3, .owner = {"alice", 1000}, .priority = 7, .urgent = 1, .nice = -8},
      {.id = 4, .owner = {"carol", 1002}, .priority = 1, .nice = 7},
  };
  size_t n = sizeof jobs / sizeof jobs[0];
  for (size_t i = 0; i + 1 < n; i++) jobs[i].next = &jobs[i + 1];
  for (int r = 0; r < rounds; r++) {
    run_queue(&jobs[0]);
    usleep(10 * 1000);
  }
  return 0;
}
