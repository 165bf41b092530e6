; pm_gates.asm - privilege transfers in protected mode: IRET to ring 3 (data segment
; registers whose DPL is below the new CPL become null), a 16-bit call gate with two word
; parameters (stack switch from the TSS, parameters copied, RETF n back to ring 3), a
; 32-bit call gate with one dword parameter into 32-bit code, a conforming code segment
; (CPL stays 3), call gates and code segments whose DPL forbids the call, INT n from ring 3
; through DPL-3 interrupt and trap gates (stack switch, IF cleared or kept) and through a
; DPL-0 gate (#GP(vector*8+2)), IOPL-sensitive instructions at CPL 3 with IOPL 0 (CLI,
; IN, and POPF keeping IF), privileged instructions at CPL 3 (HLT, MOV CR0, LGDT), IRET
; from ring 3 towards ring 0, and a call gate back to ring 0 for good.
;
; expect-exit: 1
; expect-output:
; |ring 3: cpl=0003 ss=0023 sp=5000 ds=0000 es=0000 fs=0023 gs=0000
; |gate: cs=0008 ss=0010 sp=67F4 ret=001B:0648 params=2222,1111 old sp=4FFC ss=0023
; |back in ring 3: cs=001B sp=5000 es=0000
; |exc 0D err=0048 ip=ok
; |exc 0D err=0008 ip=ok
; |conforming: cs=0053
; |gate32: sp=67EC ret=001B:06E4 param=CAFEF00D old sp=4FFC ss=0023
; |after gate32: sp=5000
; |int: sp=67F6 cs=001B fl=3200 old sp=5000 ss=0023 if now=0000
; |int: sp=67F6 cs=001B fl=3200 old sp=5000 ss=0023 if now=0200
; |exc 0D err=0212 ip=ok
; |exc 0D err=0000 ip=ok
; |exc 0D err=0000 ip=ok
; |popf at iopl 0: fl=0000
; |exc 0D err=0000 ip=ok
; |exc 0D err=0000 ip=ok
; |exc 0D err=0000 ip=ok
; |exc 0D err=0008 ip=ok
; |ring 0 again: cpl=0000
; |done
;
%include "test.inc"

%macro GATE 5                           ; selector, offset, param count, access, (unused)
        dw      ((%2) - $$) & 0xFFFF
        dw      %1
        db      %3
        db      %4
        dw      ((%2) - $$) >> 16
%endmacro

%macro PM_EXTRA_GDT 0
        GATE    C16_0, cg_target, 2, 0xE4, 0    ; 40 16-bit call gate, DPL 3, 2 params
        GATE    C16_0, cg_target, 2, 0x84, 0    ; 48 the same with DPL 0
        DESC    0xF0000, 0xFFFF, 0x9E, 0x0      ; 50 conforming code, DPL 0
        GATE    C32_0, cg32_target, 1, 0xEC, 0  ; 58 32-bit call gate, DPL 3, 1 param
        GATE    C16_0, ring0_back, 0, 0xE4, 0   ; 60 way back to ring 0
%endmacro
%include "pm.inc"

CG16    equ 0x43                        ; RPL 3
CG16_0  equ 0x4B
CONF    equ 0x50
CG32    equ 0x5B
CGBACK  equ 0x63
REC     equ DATA+0x100                  ; what the 32-bit gate target saw

%macro FAULT3 1+                        ; at CPL 3: an instruction that must fault
        EXPECT_EXC %%f, %%r
%%f:    %1
%%r:
%endmacro

start:  TEST_INIT
        PM_ENTER
        IDT_SET 0x40, C16_0, int_target, 0xE6   ; interrupt gate, DPL 3
        IDT_SET 0x41, C16_0, int_target, 0xE7   ; trap gate, DPL 3
        IDT_SET 0x42, C16_0, int_target, 0x86   ; interrupt gate, DPL 0
        IDT_SET 0x43, C16_0, set_iopl, 0xE7     ; AL -> IOPL of the interrupted code

        mov     ax, D_0                 ; ES (DPL 0) must become null in ring 3,
        mov     es, ax
        mov     ax, D_3                 ; FS (DPL 3) stays,
        mov     fs, ax
        mov     ax, C16_0               ; GS (readable code, DPL 0) becomes null
        mov     gs, ax
        push    word D_3                ; SS
        push    word STACK3_TOP         ; SP
        push    word 0x3002             ; FLAGS: IOPL 3, IF 0
        push    word C16_3
        push    word ring3
        iret

ring3:  mov     ax, cs
        and     ax, 3
        P       "ring 3: cpl="
        H16     ax
        P       " ss="
        H16     ss
        P       " sp="
        H16     sp
        P       " ds="
        H16     ds
        P       " es="
        H16     es
        P       " fs="
        H16     fs
        P       " gs="
        H16     gs
        NL
        mov     ax, D_3
        mov     ds, ax

        ; --- 16-bit call gate with two parameters ------------------------------------
        push    word 0x1111
        push    word 0x2222
        call    CG16:0xDEAD             ; the offset is ignored
cg_ret: P       "back in ring 3: cs="
        H16     cs
        P       " sp="
        H16     sp
        P       " es="
        H16     es
        NL
        FAULT3  call CG16_0:0           ; gate DPL 0 < CPL 3: #GP(gate)
        FAULT3  call C16_0:cg_target    ; non-conforming DPL 0 code: #GP(sel)
        call    CONF:conf_target        ; conforming: runs at CPL 3
        ; --- 32-bit call gate with one dword parameter -----------------------------
        push    dword 0xCAFEF00D
        call    CG32:0
        P       "gate32: sp="
        H16     [REC]
        P       " ret="
        H16     [REC+8]
        P       ":"
        H16     [REC+4]
        P       " param="
        H32     [REC+12]
        P       " old sp="
        H16     [REC+16]
        P       " ss="
        H16     [REC+20]
        NL
        P       "after gate32: sp="
        H16     sp
        NL

        ; --- INT n from ring 3 --------------------------------------------------------
        sti
        int     0x40
        int     0x41
        cli
        FAULT3  int 0x42                ; gate DPL 0: #GP(42h*8+2)

        ; --- IOPL 0 at CPL 3 ----------------------------------------------------------
        mov     al, 0
        int     0x43
        FAULT3  cli
        FAULT3  in al, 0x80
        pushf
        pop     ax
        or      ax, 0x0200              ; POPF cannot set IF here, and does not fault
        push    ax
        popf
        pushf
        pop     bx
        mov     al, 3
        int     0x43
        and     bx, 0x3200
        VAL16   "popf at iopl 0: fl", bx

        ; --- privileged instructions ---------------------------------------------------
        FAULT3  hlt
        FAULT3  mov cr0, eax
        FAULT3  o32 lgdt [cs:pm_gdtr]
        push    word D_0                ; IRET from CPL 3 to RPL 0 code: #GP(sel)
        push    word 0x6000
        push    word 0x0002
        push    word C16_0
        push    word ring0_back
        FAULT3  iret
        add     sp, 10
        call    CGBACK:0

ring0_back:
        mov     ax, D_0
        mov     ss, ax
        mov     sp, 0x7000
        mov     ds, ax
        mov     ax, cs
        and     ax, 3
        VAL16   "ring 0 again: cpl", ax
        P       "done", 10
        TEST_PASS

; 16-bit call gate target: ring 0, stack from the TSS.
cg_target:
        push    bp
        mov     bp, sp
        P       "gate: cs="
        H16     cs
        P       " ss="
        H16     ss
        mov     ax, sp
        add     ax, 2
        P       " sp="
        H16     ax
        P       " ret="
        H16     [bp+4]
        P       ":"
        H16     [bp+2]
        P       " params="
        H16     [bp+6]
        P       ","
        H16     [bp+8]
        P       " old sp="
        H16     [bp+10]
        P       " ss="
        H16     [bp+12]
        NL
        mov     ax, D_0                 ; RETF to ring 3 must null ES again
        mov     es, ax
        pop     bp
        retf    4

conf_target:
        mov     ax, cs
        P       "conforming: cs="
        H16     ax
        NL
        retf

; INT 40h/41h target: frame IP CS FLAGS SP SS on the ring-0 stack.
int_target:
        push    bp
        mov     bp, sp
        pushf
        pop     ax
        and     ax, 0x0200
        P       "int: sp="
        mov     bx, sp
        add     bx, 2
        H16     bx
        P       " cs="
        H16     [bp+4]
        P       " fl="
        mov     bx, [bp+6]
        and     bx, 0x3200
        H16     bx
        P       " old sp="
        H16     [bp+8]
        P       " ss="
        H16     [bp+10]
        P       " if now="
        H16     ax
        NL
        pop     bp
        iret

set_iopl:
        push    bp
        mov     bp, sp
        and     word [bp+6], 0xCFFF
        movzx   ax, al
        shl     ax, 12
        or      [bp+6], ax
        pop     bp
        iret

        bits    32
; 32-bit call gate target: records ESP, the frame (EIP, CS, param, ESP, SS), returns.
cg32_target:
        mov     [ss:REC], esp
        mov     eax, [esp]
        mov     [ss:REC+4], eax
        mov     eax, [esp+4]
        mov     [ss:REC+8], eax
        mov     eax, [esp+8]
        mov     [ss:REC+12], eax
        mov     eax, [esp+12]
        mov     [ss:REC+16], eax
        mov     eax, [esp+16]
        mov     [ss:REC+20], eax
        retf    4
        bits    16

        ROM_END
