/*
 * Times lector's text normalization and segmentation alone, on one core,
 * over a file of documents separated by NUL bytes (bench/bench.lua writes
 * it). Prints one line of key=value pairs for bench.lua to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lector.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = size >= 0 ? malloc((size_t)size + 1) : NULL;
  if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  if (data) data[size] = '\0';
  *len = (size_t)size;
  return data;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TEXTS [ROUNDS]\n", argv[0]);
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  size_t len = 0;
  char *all = read_all(argv[1], &len);
  if (!all) {
    perror(argv[1]);
    return 1;
  }
  double normalize_time = 0, segment_time = 0;
  size_t bytes = 0, docs = 0, tokens = 0, sentences = 0;
  for (int round = 0; round < rounds; round++) {
    for (size_t at = 0; at < len;) {
      size_t n = strlen(all + at);
      lector_text text = {0};
      lector_error err = {0};
      double t0 = now();
      lector_status status = lector_text_normalize(all + at, n, NULL, &text, &err);
      double t1 = now();
      normalize_time += t1 - t0;
      if (status == LECTOR_OK) {
        lector_segments seg;
        double t2 = now();
        if (lector_segment(text.data, text.len, &seg) == LECTOR_OK) {
          segment_time += now() - t2;
          bytes += text.len;
          docs++;
          tokens += seg.token_count;
          sentences += seg.sentence_count;
          lector_segments_free(&seg);
        }
        lector_text_free(&text);
      }
      at += n + 1;
    }
  }
  printf("docs=%zu bytes=%zu tokens=%zu sentences=%zu normalize_s=%.6f segment_s=%.6f\n",
         docs, bytes, tokens, sentences, normalize_time, segment_time);
  free(all);
  return 0;
}
