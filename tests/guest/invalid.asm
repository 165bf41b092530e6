; invalid.asm - #UD (vector 6) for invalid encodings, delivered through the IVT with the
; IP of the first byte of the instruction (prefixes included): UD2 (0F 0B), UD1 (0F B9),
; UD0 (0F FF); LOCK on instructions that cannot be locked (NOP, a register destination,
; MOV to memory, CMPXCHG to a register, INC register); register operands where only
; memory is allowed (LEA, LES, LDS, LSS, LFS, LGS, BOUND, CMPXCHG8B); MOV to CS; group
; encodings that do not exist (FE /2-/7, FF /7). Also the 15-byte instruction limit: 14
; prefixes and an opcode run, 15 prefixes and an opcode raise #GP (vector 13).
; Each fault prints "exc NN ip=ok"; the registers the instruction would write keep their
; values.
; QEMU 7.2 executes LOCK MOV to memory instead of raising #UD (the SDM: LOCK with any
; instruction not in its list of lockable ones is #UD): those lines are marked s|/q|.
;
; expect-exit: 1
; expect-output:
; |exc 06 ip=ok
; |  ud2
; |exc 06 ip=ok
; |  ud1
; |exc 06 ip=ok
; |  ud0
; |exc 06 ip=ok
; |  66 ud2
; |exc 06 ip=ok
; |  lock nop
; |exc 06 ip=ok
; |  lock add ax,bx
; |exc 06 ip=ok
; |  lock inc ax
; s|exc 06 ip=ok
; |  lock mov [m],ax
; |exc 06 ip=ok
; |  lock cmpxchg bx,cx
; |exc 06 ip=ok
; |  26 lock 66 add eax,ebx
; |exc 06 ip=ok
; |  lea ax,ax
; |exc 06 ip=ok
; |  les ax,ax
; |exc 06 ip=ok
; |  lds ax,bx
; |exc 06 ip=ok
; |  lss ax,ax
; |exc 06 ip=ok
; |  lfs ax,ax
; |exc 06 ip=ok
; |  lgs ax,ax
; |exc 06 ip=ok
; |  bound ax,ax
; |exc 06 ip=ok
; |  cmpxchg8b eax
; |exc 06 ip=ok
; |  mov cs,ax
; |exc 06 ip=ok
; |  fe /2
; |exc 06 ip=ok
; |  fe /7
; |exc 06 ip=ok
; |  ff /7
; s|regs after: 1234 5678 AAAA cs=F000
; q|regs after: 1234 5678 1234 cs=F000
; |15-byte nop ran
; |exc 0D ip=ok
; |  16-byte nop
; s|exceptions=0017
; q|exceptions=0016
;
%include "test.inc"

; UD "label", bytes... : expect #UD at the bytes, print the label afterwards
%macro UD 2+
        EXPECT_EXC %%f, %%r
%%f:    db      %2
%%r:    EXPECT_DONE
        P       "  ", %1
        NL
%endmacro

start:  TEST_INIT
        mov     ax, 0x1234
        mov     bx, 0x5678
        mov     word [DATA], 0xAAAA

        UD      "ud2",              0x0F, 0x0B
        UD      "ud1",              0x0F, 0xB9, 0xC0
        UD      "ud0",              0x0F, 0xFF, 0xC0
        UD      "66 ud2",           0x66, 0x0F, 0x0B
        UD      "lock nop",         0xF0, 0x90
        UD      "lock add ax,bx",   0xF0, 0x01, 0xD8
        UD      "lock inc ax",      0xF0, 0x40
        UD      "lock mov [m],ax",  0xF0, 0x89, 0x06, DATA & 0xFF, DATA >> 8
        UD      "lock cmpxchg bx,cx", 0xF0, 0x0F, 0xB1, 0xCB
        UD      "26 lock 66 add eax,ebx", 0x26, 0xF0, 0x66, 0x01, 0xD8
        UD      "lea ax,ax",        0x8D, 0xC0
        UD      "les ax,ax",        0xC4, 0xC0
        UD      "lds ax,bx",        0xC5, 0xC3
        UD      "lss ax,ax",        0x0F, 0xB2, 0xC0
        UD      "lfs ax,ax",        0x0F, 0xB4, 0xC0
        UD      "lgs ax,ax",        0x0F, 0xB5, 0xC0
        UD      "bound ax,ax",      0x62, 0xC0
        UD      "cmpxchg8b eax",    0x0F, 0xC7, 0xC8
        UD      "mov cs,ax",        0x8E, 0xC8
        UD      "fe /2",            0xFE, 0xD0
        UD      "fe /7",            0xFE, 0x3E, 0x00, 0x06
        UD      "ff /7",            0xFF, 0xF8
        P       "regs after: "
        H16     ax
        P       " "
        H16     bx
        P       " "
        H16     [DATA]
        P       " cs="
        H16     cs
        NL

        db      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90  ; 15 bytes
        P       "15-byte nop ran"
        NL
        EXPECT_EXC .f16, .r16
.f16:   db      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66
        db      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90  ; 16 bytes
.r16:   EXPECT_DONE
        P       "  16-byte nop"
        NL
        P       "exceptions="
        H16     [EXC_COUNT]
        NL

        TEST_PASS
        ROM_END
