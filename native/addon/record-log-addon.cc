// fred's window onto the record log (fred-record.node): maps the log the program's shim writes
// and reads its control block directly, without stopping the program or asking the debugger.
// Wrapped by src/native/record-log.ts; counts fit a JavaScript number (< 2^53).
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "../record/log-file.h"
#include "descriptors.h"

namespace {

const char *KindName(uint32_t kind) {
  switch (kind) {
    case FRED_EVENT_TIME: return "time";
    case FRED_EVENT_GETTIMEOFDAY: return "gettimeofday";
    case FRED_EVENT_CLOCK_GETTIME: return "clock_gettime";
    case FRED_EVENT_TIMESPEC_GET: return "timespec_get";
    case FRED_EVENT_CLOCK: return "clock";
    case FRED_EVENT_GETRANDOM: return "getrandom";
    case FRED_EVENT_GETENTROPY: return "getentropy";
    case FRED_EVENT_ARC4RANDOM: return "arc4random";
    case FRED_EVENT_GETPID: return "getpid";
    case FRED_EVENT_GETPPID: return "getppid";
    case FRED_EVENT_READ: return "read";
    case FRED_EVENT_RECVFROM: return "recvfrom";
    case FRED_EVENT_RECVMSG: return "recvmsg";
    case FRED_EVENT_WRITE: return "write";
    default: return "unknown";
  }
}

template <typename T>
T Load(const T *field) {
  return __atomic_load_n(field, __ATOMIC_ACQUIRE);
}

class RecordLog : public Napi::ObjectWrap<RecordLog> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RecordLog", {
      InstanceMethod<&RecordLog::Header>("header"),
      InstanceMethod<&RecordLog::SwallowedTextUnits>("swallowedTextUnits"),
      InstanceMethod<&RecordLog::SetStopAt>("setStopAt"),
      InstanceMethod<&RecordLog::RequestTruncate>("requestTruncate"),
      InstanceMethod<&RecordLog::Events>("events"),
      InstanceMethod<&RecordLog::Close>("close"),
    });
  }

  // new RecordLog(path, create)
  explicit RecordLog(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RecordLog>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean()) {
      Napi::TypeError::New(env, "RecordLog(path: string, create: boolean)").ThrowAsJavaScriptException();
      return;
    }
    std::string path = info[0].As<Napi::String>();
    log_ = fred_log_map(path.c_str(), info[1].As<Napi::Boolean>() ? 1 : 0);
    if (!log_) {
      std::string reason = errno == EINVAL ? "not a fred record log" : std::strerror(errno);
      Napi::Error::New(env, path + ": " + reason).ThrowAsJavaScriptException();
    }
  }

  ~RecordLog() override { fred_log_unmap(log_); }

 private:
  bool Open(const Napi::CallbackInfo &info) {
    if (log_) return true;
    Napi::Error::New(info.Env(), "the record log is closed").ThrowAsJavaScriptException();
    return false;
  }

  static Napi::Value Count(Napi::Env env, uint64_t value) {
    return value == FRED_LOG_NO_STOP ? env.Null() : Napi::Number::New(env, static_cast<double>(value));
  }

  // A snapshot of the control block.
  Napi::Value Header(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Open(info)) return env.Undefined();
    Napi::Object header = Napi::Object::New(env);
    header.Set("length", Count(env, Load(&log_->length)));
    header.Set("bytes", Count(env, Load(&log_->end)));
    header.Set("allocated", Count(env, Load(&log_->allocated)));
    header.Set("stopAt", Count(env, Load(&log_->stop_at)));
    header.Set("stopReached", Count(env, Load(&log_->stop_reached)));
    header.Set("truncateRequested", Napi::Boolean::New(env, Load(&log_->truncate_requested) != 0));
    header.Set("liveCount", Count(env, Load(&log_->live_count)));
    header.Set("livePid", Napi::Number::New(env, static_cast<double>(Load(&log_->live_pid))));
    uint64_t divergences = Load(&log_->divergences);
    header.Set("divergences", Count(env, divergences));
    header.Set("divergenceEvent", Count(env, log_->divergence_event));
    header.Set("divergenceExpected", Napi::String::New(env, divergences ? KindName(log_->divergence_expected) : ""));
    header.Set("divergenceActual", Napi::String::New(env, divergences ? KindName(log_->divergence_actual) : ""));
    header.Set("recorded", Count(env, Load(&log_->recorded)));
    header.Set("replayed", Count(env, Load(&log_->replayed)));
    header.Set("swallowedBytes", Count(env, Load(&log_->swallowed_bytes)));
    header.Set("swallowedTextUnits", Count(env, Load(&log_->swallowed_text_units)));
    header.Set("full", Napi::Boolean::New(env, Load(&log_->full) != 0));
    header.Set("starts", Count(env, Load(&log_->starts)));
    return header;
  }

  // setStopAt(count | null)
  // What the output gate needs on every chunk of output: no object to build.
  Napi::Value SwallowedTextUnits(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Open(info)) return env.Undefined();
    return Napi::Number::New(env, static_cast<double>(Load(&log_->swallowed_text_units)));
  }

  Napi::Value SetStopAt(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Open(info)) return env.Undefined();
    uint64_t target = FRED_LOG_NO_STOP;
    if (info.Length() > 0 && info[0].IsNumber()) {
      double value = info[0].As<Napi::Number>().DoubleValue();
      if (value < 0 || value != static_cast<double>(static_cast<uint64_t>(value))) {
        Napi::RangeError::New(env, "the stop target is a count of events").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      target = static_cast<uint64_t>(value);
    }
    __atomic_store_n(&log_->stop_reached, FRED_LOG_NO_STOP, __ATOMIC_RELEASE);
    __atomic_store_n(&log_->stop_at, target, __ATOMIC_RELEASE);
    return env.Undefined();
  }

  // The next process to make an event cuts the log at its own count first.
  Napi::Value RequestTruncate(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Open(info)) return env.Undefined();
    __atomic_store_n(&log_->truncate_requested, 1, __ATOMIC_RELEASE);
    return env.Undefined();
  }

  // events(limit): the first `limit` events as {kind, result, error, payloadSize}. For tests and
  // diagnostics: call it while the program is stopped.
  Napi::Value Events(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!Open(info)) return env.Undefined();
    uint64_t length = Load(&log_->length);
    uint64_t end = Load(&log_->end);
    if (info.Length() > 0 && info[0].IsNumber()) {
      double limit = info[0].As<Napi::Number>().DoubleValue();
      if (limit >= 0 && limit < static_cast<double>(length)) length = static_cast<uint64_t>(limit);
    }
    Napi::Array events = Napi::Array::New(env);
    uint64_t offset = FRED_LOG_HEADER_SIZE;
    const char *base = reinterpret_cast<const char *>(log_);
    for (uint64_t index = 0; index < length && offset + sizeof(fred_log_event) <= end; index++) {
      const auto *event = reinterpret_cast<const fred_log_event *>(base + offset);
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("kind", KindName(event->kind));
      entry.Set("result", Napi::Number::New(env, static_cast<double>(event->result)));
      entry.Set("error", Napi::Number::New(env, event->error));
      entry.Set("payloadSize", Napi::Number::New(env, event->payload_size));
      events.Set(static_cast<uint32_t>(index), entry);
      offset += fred_log_record_size(event->payload_size);
    }
    return events;
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    fred_log_unmap(log_);
    log_ = nullptr;
    return info.Env().Undefined();
  }

  fred_log_header *log_ = nullptr;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("RecordLog", RecordLog::Define(env));
  RegisterDescriptorFunctions(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(fred_record, Init)
