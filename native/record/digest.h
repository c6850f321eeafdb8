/* FNV-1a digests of a call's arguments: cheap, and equal arguments give equal digests, which is
 * all divergence detection needs (it is no defence against a program built to collide). */
#ifndef FRED_DIGEST_H
#define FRED_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define FRED_DIGEST_START 0xcbf29ce484222325ULL

static inline uint64_t fred_digest_bytes(uint64_t digest, const void *data, size_t size) {
  const unsigned char *bytes = data;
  for (size_t i = 0; i < size; i++) digest = (digest ^ bytes[i]) * 0x100000001b3ULL;
  return digest;
}

static inline uint64_t fred_digest_word(uint64_t digest, uint64_t word) {
  return fred_digest_bytes(digest, &word, sizeof word);
}

#endif
