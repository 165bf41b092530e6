#include "cpu/fpu/x87_engine.h"

namespace vmm86 {

void fpu_to_image(const FpuState& f, X87Image& img) {
    std::memset(img.b, 0, sizeof img.b);
    const uint16_t cw = f.fcw(), sw = f.fsw(), tw = f.full_tag();
    std::memcpy(img.b + 0, &cw, 2);
    std::memcpy(img.b + 4, &sw, 2);
    std::memcpy(img.b + 8, &tw, 2);
    for (unsigned i = 0; i < 8; ++i) f.st(i).store(img.b + 28 + 10 * i);
}

void fpu_from_image(FpuState& f, const X87Image& img) {
    uint16_t cw, sw, tw;
    std::memcpy(&cw, img.b + 0, 2);
    std::memcpy(&sw, img.b + 4, 2);
    std::memcpy(&tw, img.b + 8, 2);
    f.set_fcw(cw);
    f.set_fsw(sw);
    f.set_full_tag(tw);
    for (unsigned i = 0; i < 8; ++i) f.set_phys(f.top() + i, Float80::load(img.b + 28 + 10 * i));
}

void fpu_reset(CpuState& s) {
    FpuState f(s);
    f.set_fcw(0x0040);
    f.set_fsw(0);
    f.set_abridged_tag(0xFF);
    for (unsigned i = 0; i < 8; ++i) f.set_phys(i, Float80{0, 0});
    f.set_fop(0);
    f.set_fip(0, 0);
    f.set_fdp(0, 0);
    const uint32_t mxcsr = 0x1F80;
    std::memcpy(s.fxsave_area + 24, &mxcsr, 4);
}

}  // namespace vmm86
