/*
 * The syscall floor of a /proc scan: readdir() the root, and for each pid open, read
 * and close its stat and its cmdline into one static buffer. No parsing, no output
 * per pid. Built by bench/proc-scan.ts with `cc -O2` at bench time.
 *
 *   cfloor <root> <runs> [full|cmdline]
 *
 * `full` (the default) reads stat and cmdline, as the issue defines the floor;
 * `cmdline` reads only the cmdline, the same work the probe does for a pid that
 * does not match. Prints one line per run: "<ms> <pids> <bytes>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static long read_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s <root> <runs> [full|cmdline]\n", argv[0]);
    return 2;
  }
  const char *root = argv[1];
  int runs = atoi(argv[2]);
  int full = argc < 4 || strcmp(argv[3], "cmdline") != 0;
  char path[4096];
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    long pids = 0, bytes = 0, n;
    DIR *d = opendir(root);
    if (!d) { perror(root); return 1; }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      pids++;
      if (full) {
        snprintf(path, sizeof path, "%s/%s/stat", root, e->d_name);
        if ((n = read_file(path)) > 0) bytes += n;
      }
      snprintf(path, sizeof path, "%s/%s/cmdline", root, e->d_name);
      if ((n = read_file(path)) > 0) bytes += n;
    }
    closedir(d);
    printf("%.3f %ld %ld\n", now_ms() - t0, pids, bytes);
  }
  return 0;
}
