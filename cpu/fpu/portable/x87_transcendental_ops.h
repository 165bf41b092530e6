// The portable x87 engine's transcendental instructions and constants (see
// x87_transcendental_ops.cpp); x87_portable.cpp dispatches to them.
#pragma once
#include "cpu/fpu/portable/x87_machine.h"

namespace vmm86::x87p {

void f2xm1(Machine& x);
void fyl2x(Machine& x, bool p1);
void fpatan(Machine& x);
void ftrig(Machine& x, unsigned which);
void fld_const(Machine& x, unsigned k);

}  // namespace vmm86::x87p
