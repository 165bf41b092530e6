; interrupts.asm - software interrupts through the real-mode IVT: INT n (CD), INT3 (CC)
; and INT 3 (CD 03), INTO (CE) with OF set and clear, IRET (restores FLAGS, including a
; flag the handler changed in the frame), IRETD (66 CF with a hand-built frame and the
; SDM's EFLAGS merge), BOUND (62, 16/32-bit, in range and #BR = vector 5 with the IP of
; the BOUND), an IVT entry changed at run time, LIDT moving the real-mode IVT, INT1
; (F1: a #DB trap, vector 1, IP after it), and TF single-stepping (a #DB trap after
; each instruction, not after the POPF that sets TF; INT clears TF for the handler).
; QEMU 7.2 does not implement INT1 (it raises #UD): those lines are marked s|/q|.
;
; The handler records the frame: pushed IP (shown minus the label of the instruction
; after the INT), CS, FLAGS, and EFLAGS inside the handler (IF TF AC cleared).
;
; expect-exit: 1
; expect-output:
; |int 40: vec=40 ip-label=0000 cs=F000 fl=0CD7 inside=00000CD7 sp=6FFA after=00000CD7
; |int FF: vec=FF ip-label=0000 cs=F000 fl=0002 inside=00000002 sp=6FFA after=00000002
; |int 40 IF=1: vec=40 ip-label=0000 cs=F000 fl=0202 inside=00000002 sp=6FFA after=00000002
; |int3 CC: vec=03 ip-label=0000 cs=F000 fl=0002 inside=00000002 sp=6FFA after=00000002
; |int 3 CD03: vec=03 ip-label=0000 cs=F000 fl=0046 inside=00000046 sp=6FFA after=00000046
; |into OF=1: vec=04 ip-label=0000 cs=F000 fl=0802 inside=00000802 sp=6FFA after=00000802
; |into OF=0: vec still=EE
; |iret with CF set in frame fl=0001
; |int 41 -> new entry: vec=40 ip-label=0000 cs=F000 fl=0016 inside=00000016 sp=6FFA after=00000016
; |iretd: eflags=00247CD7
; |  sp=7000
; |bound -10, 10 in range
; |exc 05 ip=ok
; |exc 05 ip=ok
; |exc 05 ip=ok
; |exc 05 ip=ok
; |exc 05 ip=ok
; |bound done, exceptions=0005
; |lidt 2000: int 40 went to=0A17
; |  sidt: limit=03FF base=00002000
; |lidt 0: int 40 went to=0040
; s|  o16 sidt: base=12345678 o16 sgdt: base=89ABCDEF
; q|  o16 sidt: base=00345678 o16 sgdt: base=00ABCDEF
; s|int1 F1: vec=01 ip-label=0000
; q|exc 06 ip=ok
; q|int1 F1: vec=EE
; |tf: steps=0003 cx=0013 ips-labels=0000 0000 0000
;
%include "test.inc"

V_VEC   equ 0x0580
V_IP    equ 0x0582
V_CS    equ 0x0584
V_FL    equ 0x0586
V_IN    equ 0x0588                      ; dword
V_SP    equ 0x058C
STEPS   equ 0x0590
STEP_IP equ 0x0592                      ; three words

%macro SWH 1
swh_%1: push    word 0x%1
        jmp     sw_common
%endmacro

; SHOWINT "label", label-after-int
%macro SHOWINT 2
        pushfd
        P       %1, ": vec="
        H8      [ss:V_VEC]
        P       " ip-label="
        push    ax
        mov     ax, [ss:V_IP]
        sub     ax, %2
        H16     ax
        pop     ax
        P       " cs="
        H16     [ss:V_CS]
        P       " fl="
        H16     [ss:V_FL]
        P       " inside="
        H32     [ss:V_IN]
        P       " sp="
        H16     [ss:V_SP]
        P       " after="
        pop     eax
        H32     eax
        NL
%endmacro

start:  TEST_INIT
        SET_IVT 0x40, swh_40
        SET_IVT 0xFF, swh_FF
        SET_IVT 3, swh_03
        SET_IVT 4, swh_04

        push    dword 0x00000CD7        ; OF DF SF ZF AF PF CF set
        popfd
        int     0x40
.a1:    SHOWINT "int 40", .a1
        push    dword 0x00040002        ; AC set: INT clears it, a 16-bit IRET cannot restore it
        popfd
        int     0xFF
.a2:    SHOWINT "int FF", .a2
        push    dword 0x00000202        ; IF set (IRQs are masked at the PIC): cleared inside
        popfd
        int     0x40
.a2b:   cli
        SHOWINT "int 40 IF=1", .a2b
        push    dword 0x00000002
        popfd
        int3                            ; CC
.a3:    SHOWINT "int3 CC", .a3
        push    word 0x0046
        popf
        db      0xCD, 0x03              ; INT 3, the two-byte form
.a4:    SHOWINT "int 3 CD03", .a4
        push    word 0x0802             ; OF set: INTO traps, IP after the INTO
        popf
        mov     word [V_VEC], 0
        into
.a5:    SHOWINT "into OF=1", .a5
        push    word 0x08D6
        popf
        mov     byte [V_VEC], 0xEE      ; OF clear: nothing happens
        push    word 0x00D7
        popf
        into
        VAL8    "into OF=0: vec still", [V_VEC]

; A handler may change the FLAGS in its frame; IRET then loads them.
        SET_IVT 0x41, set_cf_handler
        push    word 0x0002
        popf
        int     0x41
        pushf
        P       "iret with CF set in frame"
        FL      F_ALL
        NL
; Change the IVT entry and INT again.
        SET_IVT 0x41, swh_40
        push    word 0x0016
        popf
        int     0x41
.a6:    SHOWINT "int 41 -> new entry", .a6

; IRETD: pops EIP, CS, EFLAGS as dwords; EFLAGS = (temp & 257FD5) | (EFLAGS & 1A0000).
        push    dword 0x003F7CD7        ; everything but IF/TF, incl. VM VIF VIP RF AC ID
        push    dword 0x0000F000
        push    dword .iretd_to
        o32 iret
        TEST_FAIL
.iretd_to:
        pushfd
        pop     eax
        VAL32   "iretd: eflags", eax
        mov     bx, sp
        VAL16   "  sp", bx
        push    dword 0x00000002
        popfd

; BOUND: signed bounds [lower, upper].
        mov     word [DATA], 0xFFF6     ; -10
        mov     word [DATA+2], 0x000A   ; +10
        mov     ax, 0xFFF6
        bound   ax, [DATA]
        mov     ax, 0x000A
        bound   ax, [DATA]
        P       "bound -10, 10 in range"
        NL
        mov     ax, 0x000B
        EXPECT_EXC .b1, .b1r
.b1:    bound   ax, [DATA]
.b1r:   mov     ax, 0xFFF5
        EXPECT_EXC .b2, .b2r
.b2:    bound   ax, [DATA]
.b2r:   mov     ax, 0x8000
        mov     bx, DATA
        EXPECT_EXC .b3, .b3r
.b3:    bound   ax, [bx]
.b3r:   mov     dword [DATA+4], 0x80000000
        mov     dword [DATA+8], 0x7FFFFFFF
        mov     eax, 0x80000000
        bound   eax, [DATA+4]           ; 66 62: the full signed 32-bit range
        mov     dword [DATA+4], 0x00010000
        mov     dword [DATA+8], 0x00020000
        mov     eax, 0x0000FFFF
        EXPECT_EXC .b4, .b4r
.b4:    bound   eax, [DATA+4]
.b4r:   mov     word [DATA], 5          ; upper < lower: nothing is in range
        mov     word [DATA+2], 4
        mov     ax, 5
        EXPECT_EXC .b5, .b5r
.b5:    bound   ax, [DATA]
.b5r:   P       "bound done, exceptions="
        H16     [EXC_COUNT]
        NL

; LIDT: in real mode the IDTR still locates the IVT (base and limit). A 16-bit LIDT
; loads a 24-bit base (the high byte of the operand is ignored, the base's is 0); SIDT
; stores the 32-bit base.
        mov     word [DATA], 0x03FF
        mov     dword [DATA+2], 0xFF002000
        mov     word [0x2000 + 0x40*4], alt_handler
        mov     word [0x2000 + 0x40*4 + 2], 0xF000
        mov     word [V_VEC], 0
        lidt    [DATA]
        int     0x40
        sidt    [DATA+8]
        mov     dword [DATA+2], 0       ; back to the IVT at 0
        lidt    [DATA]
        VAL16   "lidt 2000: int 40 went to", [V_VEC]
        P       "  sidt: limit="
        H16     [DATA+8]
        P       " base="
        H32     [DATA+10]
        NL
        int     0x40
        VAL16   "lidt 0: int 40 went to", [V_VEC]

; SGDT/SIDT store the whole 32-bit base at either operand size (SDM vol. 2, SGDT: "Full
; 32-bit base address stored"); only the 16-bit LGDT/LIDT drop the top byte. Nothing may
; interrupt while the IDTR points at 12345678h.
        mov     word [DATA], 0x03FF
        mov     dword [DATA+2], 0x12345678
        o32 lidt [DATA]
        o16 sidt [DATA+8]
        mov     dword [DATA+2], 0
        lidt    [DATA]
        mov     word [DATA+16], 0xFFFF
        mov     dword [DATA+18], 0x89ABCDEF
        o32 sgdt [DATA+24]              ; the GDTR as it was, to put back
        o32 lgdt [DATA+16]
        o16 sgdt [DATA+32]
        o32 lgdt [DATA+24]
        P       "  o16 sidt: base="
        H32     [DATA+10]
        P       " o16 sgdt: base="
        H32     [DATA+34]
        NL

; INT1 (F1, "ICEBP"): vector 1 as a trap.
; (QEMU 7.2 raises #UD for F1, so a #UD is caught and reported too.)
        SET_IVT 1, swh_01
        mov     word [V_VEC], 0xEE
        EXPECT_EXC .f1, .a7
.f1:    db      0xF1
.a7:    EXPECT_DONE
        P       "int1 F1: vec="
        H8      [V_VEC]
        cmp     word [V_VEC], 1
        jne     .a7n
        P       " ip-label="
        mov     ax, [V_IP]
        sub     ax, .a7
        H16     ax
.a7n:   NL

; TF: the trap comes after each instruction once TF is set; the handler clears TF in
; the frame after the third.
        SET_IVT 1, tf_handler
        mov     word [STEPS], 0
        xor     cx, cx
        push    word 0x0102             ; TF
        popf                            ; no trap after the POPF itself
        inc     cx
.s1:    inc     cx
.s2:    inc     cx
.s3:    add     cx, 0x10                ; TF is clear again: no trap
        P       "tf: steps="
        H16     [STEPS]
        P       " cx="
        H16     cx
        P       " ips-labels="
        mov     ax, [STEP_IP]
        sub     ax, .s1
        H16     ax
        P       " "
        mov     ax, [STEP_IP+2]
        sub     ax, .s2
        H16     ax
        P       " "
        mov     ax, [STEP_IP+4]
        sub     ax, .s3
        H16     ax
        NL

        TEST_PASS

tf_handler:
        push    bp
        mov     bp, sp
        push    ax
        push    bx
        mov     bx, [ss:STEPS]
        add     bx, bx
        mov     ax, [bp+2]              ; pushed IP
        mov     [ss:STEP_IP+bx], ax
        inc     word [ss:STEPS]
        cmp     word [ss:STEPS], 3
        jb      .more
        and     word [bp+6], ~F_TF      ; pushed FLAGS
.more:  pop     bx
        pop     ax
        pop     bp
        iret

        SWH     01
        SWH     40
        SWH     FF
        SWH     03
        SWH     04
sw_common:                              ; stack: vector, IP, CS, FLAGS
        push    bp
        mov     bp, sp
        push    eax
        pushfd
        pop     eax
        mov     [ss:V_IN], eax
        mov     ax, [bp+2]
        mov     [ss:V_VEC], ax
        mov     ax, [bp+4]
        mov     [ss:V_IP], ax
        mov     ax, [bp+6]
        mov     [ss:V_CS], ax
        mov     ax, [bp+8]
        mov     [ss:V_FL], ax
        lea     ax, [bp+4]
        mov     [ss:V_SP], ax
        pop     eax
        pop     bp
        add     sp, 2
        iret

set_cf_handler:
        push    bp
        mov     bp, sp
        or      word [bp+6], F_CF
        pop     bp
        iret

alt_handler:
        mov     word [ss:V_VEC], 0xA17
        iret

        ROM_END
