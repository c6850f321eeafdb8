/* Input from the world and output to the user. Reads of pipes, sockets and character devices
 * (terminals, /dev/urandom, /dev/random) are events; regular files are simply read again in a
 * replay (the checkpoint backends restore their offsets). Writes to stdout and stderr, when
 * they are not regular files, are events too: replayed, they are swallowed, so the user sees
 * the program's output once. */
#define _GNU_SOURCE
#include "interpose-io.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "digest.h"
#include "raw-syscall.h"
#include "recorder.h"

/* Whether what `fd` reads or writes can differ between runs: a pipe, socket or device. Asked of
 * the kernel at every call, never remembered: what a descriptor refers to changes behind the
 * shim's back (freopen, fclose and fopen dup, close and open through libc's internal aliases;
 * direct system calls), and a wrong answer records a regular file or loses a pipe's data. A
 * cheaper exact question does not pay: every system call costs ~0.3 us here whatever it does
 * (fcntl(F_GETPIPE_SZ) for descriptors that were pipes last time saved 0.1% of read_stdin). */
static int is_stream(int fd) {
  struct stat status;
  /* The system call itself: libc's fstat is newfstatat(fd, "", AT_EMPTY_PATH), which copies in
   * and checks the empty path, and a program or another preloaded library may define fstat. */
  if (fred_raw_syscall(SYS_fstat, fd, (long)&status, 0, 0) != 0) return 0;
  return S_ISFIFO(status.st_mode) || S_ISSOCK(status.st_mode) || S_ISCHR(status.st_mode);
}

static ssize_t kernel_result(long result) {
  if (result < 0) {
    errno = (int)-result;
    return -1;
  }
  return result;
}

/* Before a recorded read that would block: waits for data, watching the log meanwhile. A
 * process restored from a checkpoint taken while it waited here must not wait for input the
 * original already read: 1 when the log got this event meanwhile (replay it instead). */
static int wait_for_input(int fd, int nonblocking, struct fred_call *call) {
  int saved = errno;
  int result = 0;
  struct pollfd wanted = {.fd = fd, .events = POLLIN};
  const struct timespec now = {0, 0};
  /* Data is usually there already: one look, and no more system calls than that. */
  if (ppoll(&wanted, 1, &now, NULL) == 0 && !nonblocking) {
    int flags = fcntl(fd, F_GETFL);
    const struct timespec patience = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
    while (flags >= 0 && !(flags & O_NONBLOCK)) {
      if (fred_call_logged_meanwhile(call)) {
        result = 1;
        break;
      }
      /* A signal handler that ran counts as a restart (SA_RESTART): go on waiting. Only a bad
       * descriptor or buffer ends the wait early, for the read to report. */
      int ready = ppoll(&wanted, 1, &patience, NULL);
      if (ready > 0 || (ready < 0 && (errno == EFAULT || errno == EINVAL || errno == ENOMEM))) break;
    }
  }
  errno = saved;
  return result;
}

FRED_INTERPOSED ssize_t fred_impl_fred_read(int fd, void *buffer, size_t size) {
  if (!fred_recorder_is_program() || !is_stream(fd)) return kernel_result(fred_raw_read(fd, buffer, size));
  uint64_t arguments = fred_digest_word(fred_digest_word(FRED_EVENT_READ, (uint64_t)fd), size);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_READ, arguments);
  if (mode == FRED_CALL_LIVE) return kernel_result(fred_raw_read(fd, buffer, size));
  if (mode == FRED_CALL_RECORD) {
    /* Data is usually there already: one system call reads it. Otherwise (or where reading
     * without waiting is not supported) wait as the log allows, then read. */
    long result = fred_raw_read_nowait(fd, buffer, size);
    if (result == -EAGAIN || result == -EOPNOTSUPP || result == -EINVAL) {
      if (wait_for_input(fd, 0, &call)) goto replay;
      result = fred_raw_read(fd, buffer, size);
    }
    int error = result < 0 ? (int)-result : 0;
    int64_t value = result < 0 ? -1 : result;
    if (fred_call_record(&call, value, error, buffer, result > 0 ? (uint32_t)result : 0) == FRED_CALL_RECORD) {
      return kernel_result(result);
    }
  }
replay:
  memcpy(buffer, fred_event_payload(call.logged), call.logged->payload_size);
  return (ssize_t)fred_call_replayed(&call);
}

FRED_INTERPOSED ssize_t fred_impl_fred_write(int fd, const void *buffer, size_t size) {
  if ((fd != 1 && fd != 2) || !fred_recorder_is_program() || !is_stream(fd)) {
    return kernel_result(fred_raw_write(fd, buffer, size));
  }
  uint64_t arguments = fred_digest_bytes(fred_digest_word(fred_digest_word(FRED_EVENT_WRITE, (uint64_t)fd), size), buffer, size);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_WRITE, arguments);
  if (mode == FRED_CALL_LIVE) return kernel_result(fred_raw_write(fd, buffer, size));
  if (mode == FRED_CALL_RECORD) {
    long result = fred_raw_write(fd, buffer, size);
    /* A signal (pdb's Ctrl-C, which fred sends every few milliseconds for checkpoints) may cut
     * a terminal write short, and the program then writes the rest: finish it here, so that in
     * every run the event is the whole write (a replay is never interrupted). */
    size_t done = result > 0 ? (size_t)result : 0;
    while ((result > 0 && done < size) || result == -EINTR) {
      result = fred_raw_write(fd, (const char *)buffer + done, size - done);
      if (result > 0) done += (size_t)result;
    }
    if (done > 0) result = (long)done;
    int error = result < 0 ? (int)-result : 0;
    if (fred_call_record(&call, result < 0 ? -1 : result, error, NULL, 0) == FRED_CALL_RECORD) return kernel_result(result);
  }
  ssize_t written = (ssize_t)fred_call_replayed(&call);
  if (written > 0) fred_recorder_count_swallowed(buffer, (uint64_t)written);
  return written;
}

/* ---- sockets --------------------------------------------------------------------------- */

/* A recorded receive: what arrived, then the sender's address, then msg_flags (recvmsg). */
struct received {
  uint32_t data_size;
  uint32_t address_size;
  int32_t message_flags;
  uint32_t reserved;
};

static ssize_t receive_from(int fd, void *buffer, size_t size, int flags, struct sockaddr *address,
                            socklen_t *address_size) {
  FRED_REAL(recvfrom);
  if (!fred_recorder_is_program()) return real_recvfrom(fd, buffer, size, flags, address, address_size);
  uint64_t arguments = fred_digest_word(fred_digest_word(fred_digest_word(fred_digest_word(FRED_EVENT_RECVFROM, (uint64_t)fd),
                                                                          size), (uint64_t)flags), address != NULL);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_RECVFROM, arguments);
  if (mode == FRED_CALL_LIVE) return real_recvfrom(fd, buffer, size, flags, address, address_size);
  if (mode == FRED_CALL_RECORD && !wait_for_input(fd, flags & MSG_DONTWAIT, &call)) {
    socklen_t capacity = address_size ? *address_size : 0;
    ssize_t result = real_recvfrom(fd, buffer, size, flags, address, address_size);
    int error = result < 0 ? errno : 0;
    /* MSG_TRUNC can make the result larger than what was stored. */
    uint32_t stored = result > 0 ? (uint32_t)((size_t)result < size ? (size_t)result : size) : 0;
    socklen_t address_stored = address_size && result >= 0 ? (*address_size < capacity ? *address_size : capacity) : 0;
    struct received header = {stored, address_size ? (uint32_t)*address_size : 0, 0, address_stored};
    char record[sizeof header + 65536 + sizeof(struct sockaddr_storage)];
    /* Larger datagrams than 64 KiB are rare: record up to the stack buffer, then the address. */
    if (stored > 65536) header.data_size = stored = 65536;
    memcpy(record, &header, sizeof header);
    memcpy(record + sizeof header, buffer, stored);
    if (address_stored) memcpy(record + sizeof header + stored, address, address_stored);
    uint32_t record_size = (uint32_t)(sizeof header + stored + address_stored);
    if (fred_call_record(&call, result, error, record, record_size) == FRED_CALL_RECORD) {
      if (error) errno = error;
      return result;
    }
  }
  struct received header;
  const char *payload = fred_event_payload(call.logged);
  memcpy(&header, payload, sizeof header);
  memcpy(buffer, payload + sizeof header, header.data_size);
  if (address_size) {
    socklen_t capacity = *address_size;
    memcpy(address, payload + sizeof header + header.data_size, header.reserved < capacity ? header.reserved : capacity);
    *address_size = header.address_size;
  }
  return (ssize_t)fred_call_replayed(&call);
}

FRED_INTERPOSED ssize_t fred_impl_recvfrom(int fd, void *buffer, size_t size, int flags, struct sockaddr *address, socklen_t *address_size) {
  return receive_from(fd, buffer, size, flags, address, address_size);
}

FRED_INTERPOSED ssize_t fred_impl_recv(int fd, void *buffer, size_t size, int flags) {
  return receive_from(fd, buffer, size, flags, NULL, NULL);
}

/* recvmsg: the data and the sender's address are replayed; ancillary data (passed file
 * descriptors, credentials) is not: a replay gets none. */
FRED_INTERPOSED ssize_t fred_impl_recvmsg(int fd, struct msghdr *message, int flags) {
  FRED_REAL(recvmsg);
  if (!fred_recorder_is_program()) return real_recvmsg(fd, message, flags);
  size_t capacity = 0;
  for (size_t i = 0; i < message->msg_iovlen; i++) capacity += message->msg_iov[i].iov_len;
  uint64_t arguments = fred_digest_word(fred_digest_word(fred_digest_word(fred_digest_word(FRED_EVENT_RECVMSG, (uint64_t)fd),
                                                                          capacity), (uint64_t)flags), message->msg_namelen);
  struct fred_call call;
  enum fred_call_mode mode = fred_call_begin(&call, FRED_EVENT_RECVMSG, arguments);
  if (mode == FRED_CALL_LIVE) return real_recvmsg(fd, message, flags);
  if (mode == FRED_CALL_RECORD && !wait_for_input(fd, flags & MSG_DONTWAIT, &call)) {
    socklen_t name_capacity = message->msg_namelen;
    ssize_t result = real_recvmsg(fd, message, flags);
    int error = result < 0 ? errno : 0;
    size_t stored = result > 0 ? ((size_t)result < capacity ? (size_t)result : capacity) : 0;
    if (stored > 65536) stored = 65536;
    socklen_t name_stored = result >= 0 && message->msg_name ? (message->msg_namelen < name_capacity ? message->msg_namelen : name_capacity) : 0;
    struct received header = {(uint32_t)stored, result >= 0 ? (uint32_t)message->msg_namelen : 0, result >= 0 ? message->msg_flags : 0,
                              (uint32_t)name_stored};
    char record[sizeof header + 65536 + sizeof(struct sockaddr_storage)];
    memcpy(record, &header, sizeof header);
    size_t copied = 0;
    for (size_t i = 0; i < message->msg_iovlen && copied < stored; i++) {
      size_t part = message->msg_iov[i].iov_len < stored - copied ? message->msg_iov[i].iov_len : stored - copied;
      memcpy(record + sizeof header + copied, message->msg_iov[i].iov_base, part);
      copied += part;
    }
    if (name_stored) memcpy(record + sizeof header + stored, message->msg_name, name_stored);
    if (fred_call_record(&call, result, error, record, (uint32_t)(sizeof header + stored + name_stored)) == FRED_CALL_RECORD) {
      if (error) errno = error;
      return result;
    }
  }
  struct received header;
  const char *payload = fred_event_payload(call.logged);
  memcpy(&header, payload, sizeof header);
  size_t copied = 0;
  for (size_t i = 0; i < message->msg_iovlen && copied < header.data_size; i++) {
    size_t part = message->msg_iov[i].iov_len < header.data_size - copied ? message->msg_iov[i].iov_len : header.data_size - copied;
    memcpy(message->msg_iov[i].iov_base, payload + sizeof header + copied, part);
    copied += part;
  }
  if (message->msg_name) {
    memcpy(message->msg_name, payload + sizeof header + header.data_size,
           header.reserved < message->msg_namelen ? header.reserved : message->msg_namelen);
    message->msg_namelen = header.address_size;
  }
  message->msg_controllen = 0;
  message->msg_flags = header.message_flags;
  return (ssize_t)fred_call_replayed(&call);
}
