// closeOnExec(fd): marks one of fred's own descriptors close-on-exec. node-pty opens the
// program's terminal without it, and every process fred starts afterwards (gdb, and through it
// the program) inherited the terminal's master: the program held a descriptor that was not
// its own, and gdb's fork checkpoints call lseek in the program once per open descriptor at every
// checkpoint, restart and delete (~0.7 ms each here).
#include "descriptors.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace {

Napi::Value CloseOnExec(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "closeOnExec(fd)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
    Napi::Error::New(env, std::string("fcntl: ") + std::strerror(errno)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace

void RegisterDescriptorFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("closeOnExec", Napi::Function::New(env, CloseOnExec));
}
