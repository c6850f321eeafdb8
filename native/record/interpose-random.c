/* The kernel's randomness as the program asks for it through libc: getrandom, getentropy and
 * the arc4random family. (Reads of /dev/urandom and /dev/random are reads of a character
 * device: interpose-io.c records them.) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "digest.h"
#include "recorder.h"

/* The largest buffer arc4random_buf records (getrandom itself returns at most 32 MiB a call):
 * beyond it the bytes are fresh in every replay, though the event still counts. */
#define LARGEST_RECORDED (32u << 20)

FRED_INTERPOSED ssize_t fred_impl_getrandom(void *buffer, size_t size, unsigned int flags) {
  FRED_REAL(getrandom);
  uint64_t arguments = fred_digest_word(fred_digest_word(FRED_EVENT_GETRANDOM, size), flags);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_GETRANDOM, arguments);
  if (mode == FRED_CALL_LIVE) return real_getrandom(buffer, size, flags);
  if (mode == FRED_CALL_RECORD) {
    ssize_t result = real_getrandom(buffer, size, flags);
    int error = result < 0 ? errno : 0;
    if (fred_call_record(&call, result, error, buffer, result > 0 ? (uint32_t)result : 0) == FRED_CALL_RECORD) return result;
  }
  memcpy(buffer, fred_event_payload(call.logged), call.logged->payload_size);
  return (ssize_t)fred_call_replayed(&call);
}

FRED_INTERPOSED int fred_impl_getentropy(void *buffer, size_t size) {
  FRED_REAL(getentropy);
  uint64_t arguments = fred_digest_word(FRED_EVENT_GETENTROPY, size);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_GETENTROPY, arguments);
  if (mode == FRED_CALL_LIVE) return real_getentropy(buffer, size);
  if (mode == FRED_CALL_RECORD) {
    int result = real_getentropy(buffer, size);
    int error = result < 0 ? errno : 0;
    if (fred_call_record(&call, result, error, buffer, result == 0 && size <= 256 ? (uint32_t)size : 0) == FRED_CALL_RECORD)
      return result;
  }
  memcpy(buffer, fred_event_payload(call.logged), call.logged->payload_size);
  return (int)fred_call_replayed(&call);
}

/* arc4random, arc4random_uniform: the result is the whole answer. `bound` is 0 for arc4random. */
static uint32_t arc4random_event(uint32_t bound, uint32_t (*live)(uint32_t)) {
  struct fred_call call;
  uint64_t arguments = fred_digest_word(FRED_EVENT_ARC4RANDOM, bound);
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_ARC4RANDOM, arguments);
  if (mode == FRED_CALL_LIVE) return live(bound);
  if (mode == FRED_CALL_RECORD) {
    uint32_t result = live(bound);
    if (fred_call_record(&call, result, 0, NULL, 0) == FRED_CALL_RECORD) return result;
  }
  return (uint32_t)fred_call_replayed(&call);
}

static uint32_t live_arc4random(uint32_t bound) {
  (void)bound;
  FRED_REAL(arc4random);
  return real_arc4random ? real_arc4random() : 0;
}

static uint32_t live_arc4random_uniform(uint32_t bound) {
  FRED_REAL(arc4random_uniform);
  return real_arc4random_uniform ? real_arc4random_uniform(bound) : 0;
}

FRED_INTERPOSED uint32_t fred_impl_arc4random(void) {
  return arc4random_event(0, live_arc4random);
}

FRED_INTERPOSED uint32_t fred_impl_arc4random_uniform(uint32_t bound) {
  return arc4random_event(bound, live_arc4random_uniform);
}

FRED_INTERPOSED void fred_impl_arc4random_buf(void *buffer, size_t size) {
  FRED_REAL(arc4random_buf);
  uint64_t arguments = fred_digest_word(FRED_EVENT_ARC4RANDOM, size);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_ARC4RANDOM, arguments);
  if (mode == FRED_CALL_LIVE) {
    if (real_arc4random_buf) real_arc4random_buf(buffer, size);
    return;
  }
  if (mode == FRED_CALL_RECORD) {
    if (real_arc4random_buf) real_arc4random_buf(buffer, size);
    uint32_t recorded = size <= LARGEST_RECORDED ? (uint32_t)size : 0;
    if (fred_call_record(&call, 0, 0, buffer, recorded) == FRED_CALL_RECORD) return;
  }
  if (call.logged->payload_size == size) memcpy(buffer, fred_event_payload(call.logged), size);
  else if (real_arc4random_buf) real_arc4random_buf(buffer, size);
  fred_call_replayed(&call);
}
