// Calls on fred's own file descriptors that Node has no API for.
#pragma once
#include <napi.h>

void RegisterDescriptorFunctions(Napi::Env env, Napi::Object exports);
