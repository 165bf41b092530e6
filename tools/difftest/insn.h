// What `vmm86 difftest` tests: a table of instruction forms (one row per opcode form) and
// instances of them with chosen operand size, address size, registers, addressing mode and
// immediates. One instance encodes to two byte strings: for 16-bit code (a real-mode guest)
// and for 32-bit code (the host, which runs it in a 32-bit code segment, and a guest in
// 32-bit protected mode). They differ only in the 66h/67h prefixes: a 32-bit operand is the
// default in one and prefixed in the other, and likewise for address size.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vmm86::difftest {

enum class Group : uint8_t {
    Alu, IncDec, NegNot, Shift, Rotate, ShiftD, MulDiv, Bcd, Bit, BitScan, SetCC, Cmov, Xchg,
    Movx, Flags, String, Stack, Trap, X87, kCount
};
const char* group_name(Group g);

// Operand layout of a form.
enum class Layout : uint8_t {
    None,    // implicit operands only (DAA, CLC, CBW, MOVSB, AL/eAX with immediate...)
    E,       // ModRM with a fixed reg field (/digit): the r/m operand (NEG, SHL, SETcc)
    EG,      // ModRM: r/m and a register operand (ADD, BT, CMOVcc, IMUL Gv,Ev)
    O,       // register number in the opcode's low three bits (INC r, BSWAP, PUSH r)
};

enum class Width : uint8_t {
    None,  // no operand-size dependence: never a 66h prefix
    B,     // byte operands
    V,     // 16 or 32 bits, chosen per instance (66h in one of the two encodings)
    D,     // 32 bits only (BSWAP: the 16-bit form is undefined)
};

enum class Imm : uint8_t { None, B, Z };  // Z: 16 or 32 bits, as the operand size

enum class RmUse : uint8_t { Any, RegOnly, MemOnly };

// How inputs are shaped and which flags the manuals leave undefined.
enum class Kind : uint8_t {
    Plain,      // all flags the instruction writes are defined
    Logic,      // AND/OR/XOR/TEST: AF undefined
    Shift,      // SHL/SAL/SHR: count-dependent CF/OF/AF
    Sar,        // SAR: CF stays defined for counts >= width
    Rotate,     // ROL/ROR
    RotateC,    // RCL/RCR
    ShiftD,     // SHLD/SHRD
    Mul,        // MUL/IMUL: SF ZF AF PF undefined
    Div,        // DIV/IDIV: every arithmetic flag undefined
    DaaDas,     // OF undefined
    AaaAas,     // OF SF ZF PF undefined
    AamAad,     // OF AF CF undefined
    Bt,         // BT/BTS/BTR/BTC: OF SF AF PF undefined; register offsets address memory
    BitScan,    // BSF/BSR: CF OF SF AF PF undefined
    Popf,       // stack top is a sanitised EFLAGS image
    Stack,      // uses SS:SP
    String,     // DS:SI and/or ES:DI
    Xlat,       // DS:[BX+AL]
    Bound,      // memory operand is a pair of bounds
    Cmpxchg8b,  // m64 with EDX:EAX / ECX:EBX
    X87,        // an x87 instruction (ESC D8..DF, WAIT, FXSAVE/FXRSTOR): see X87Fmt, X87Class
};

// The memory operand of an x87 instruction.
enum class X87Fmt : uint8_t {
    None,
    F32, F64, F80,  // real formats
    I16, I32, I64,  // integers
    Bcd,            // 18-digit packed BCD
    Word,           // FLDCW/FNSTCW/FNSTSW m16
    Env,            // FLDENV/FNSTENV: 14 or 28 bytes (operand size)
    Save,           // FRSTOR/FNSAVE: 94 or 108 bytes
    FxSave,         // FXSAVE/FXRSTOR: 512 bytes, 16-byte aligned
};

// What an x87 instruction does to the instruction/data pointers and opcode (SDM vol. 1
// 8.1.8-8.1.9), which is how difftest predicts them (the host's are not a P6's: see
// executor.cpp).
enum class X87Class : uint8_t {
    Compute,    // a non-control instruction: FIP/FCS, FOP and (memory forms) FDP/FDS updated
    Control,    // FLDCW FNSTCW FNSTSW FNCLEX FWAIT FENI/FDISI/FSETPM: pointers unchanged
    Init,       // FNINIT: pointers and opcode cleared
    LoadEnv,    // FLDENV, FRSTOR, FXRSTOR: pointers from the image
    StoreEnv,   // FNSTENV, FXSAVE: the image holds the pointers
    StoreSave,  // FNSAVE: as StoreEnv, then FNINIT
    Reserved,   // an encoding a P6 rejects (#UD)
};

// Which string operands a string instruction touches.
enum StringUse : uint8_t { kStrSrc = 1, kStrDst = 2 };

struct InsnDesc {
    const char* name;  // mnemonic for reports ("adc", "shl", ...); 'cc' rows are expanded
    Group group;
    std::vector<uint8_t> opcode;  // including 0Fh; for Layout::O the low bits are 0
    Layout layout;
    int8_t digit;  // reg field for Layout::E, else -1
    Width width;
    Imm imm;
    RmUse rm = RmUse::Any;
    Kind kind = Kind::Plain;
    uint8_t count_cl = 0;     // shifts: 1 = count in CL, 2 = count is 1
    uint8_t mem_bytes = 0;    // memory operand size when it is not the operand size
    uint8_t string_use = 0;   // StringUse bits
    uint8_t stack_bytes = 0;  // bytes pushed/popped at most (Kind::Stack, Popf); 0xFF = 2 or 4
    X87Fmt x87_fmt = X87Fmt::None;          // Kind::X87: the memory operand
    X87Class x87_class = X87Class::Compute;  // Kind::X87: pointer behaviour
    bool x87_store = false;                  // Kind::X87: the memory operand is written
};

const std::vector<InsnDesc>& insn_table();

// A 16- or 32-bit memory address form: base/index registers (-1 = none), scale, disp.
struct Address {
    unsigned size = 16;  // address size
    uint8_t mod = 0, rm = 0;
    bool has_sib = false;
    uint8_t sib = 0;
    int base = -1, index = -1;
    unsigned scale = 0;  // log2
    uint32_t disp = 0;
    unsigned disp_bytes = 0;
    bool uses_ss = false;  // default segment is SS (BP/EBP/ESP base)
};

// One instruction instance.
struct Insn {
    const InsnDesc* desc = nullptr;
    unsigned opsize = 16;    // 8, 16 or 32 (0 for Width::None)
    unsigned addrsize = 16;  // for memory operands, string ops, XLAT
    bool mem = false;        // r/m is memory
    int seg_override = -1;   // -1, or a DataSeg
    uint8_t reg = 0;         // reg field register, or the Layout::O register
    uint8_t rm = 0;          // r/m register when !mem
    uint8_t digit = 0;       // reg field for Layout::E (normally desc->digit)
    Address addr;
    uint32_t imm = 0;
    unsigned imm_bytes = 0;
    // Prefixes that do not change the form: LOCK (#UD unless a lockable memory form),
    // and operand/address-size prefixes on instructions they do not affect (ignored).
    bool lock = false, redundant_66 = false, redundant_67 = false;

    // Memory operand bytes accessed at the effective address.
    unsigned mem_operand_bytes() const;
    bool is_x87() const { return desc->kind == Kind::X87; }
    // The bytes for 16-bit code (real mode) or 32-bit code (the host, protected mode).
    std::vector<uint8_t> encode(bool code32) const;
};

}  // namespace vmm86::difftest
