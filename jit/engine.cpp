#include "jit/engine.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "jit/backend/x64/x64_jit.h"

namespace vmm86 {

std::unique_ptr<Engine> make_engine(EngineKind kind, Cpu& cpu) {
    return kind == EngineKind::Jit ? make_x64_jit(cpu) : make_interpreter(cpu);
}

EngineKind default_engine_kind() {
    const char* accel = std::getenv("VMM86_ACCEL");
    if (!accel || !*accel) return x64_jit_available() ? EngineKind::Jit : EngineKind::Interp;
    if (std::strcmp(accel, "interp") == 0) return EngineKind::Interp;
    if (std::strcmp(accel, "jit") == 0) return EngineKind::Jit;
    throw std::runtime_error(std::string("VMM86_ACCEL takes jit or interp (got '") + accel + "')");
}

}  // namespace vmm86
