; pm_basic.asm - entering and leaving protected mode, segment loads and their faults,
; limit and type checks on accesses, the descriptor cache, LAR/LSL/VERR/VERW, and the
; way back to real mode (SDM vol. 3, 9.9): the IVT works again, and a segment whose
; cache was loaded with a 4 GiB limit in protected mode keeps it in real mode ("unreal
; mode"), while one loaded with limit FFFF faults beyond it.
;
; QEMU 7.2 (TCG) checks descriptors when a segment register is loaded but not the
; accesses made through it: no #GP/#SS for a null DS, for offsets beyond a limit (also
; in real mode), below an expand-down lower bound, or for writes to read-only data or
; code. Those faults (SDM vol. 3, 5.3 and 6.15) are s| lines with no q| counterpart.
;
; expect-exit: 1
; expect-output:
; |pe=0001 cs=0008 ss=0010 tr=0028
; |null ds: load ok
; s|exc 0D err=0000 ip=ok
; |exc 0D err=01F8 ip=ok
; |exc 0D err=0050 ip=ok
; |exc 0B err=0058 ip=ok
; |exc 0D err=0000 ip=ok
; |exc 0D err=0048 ip=ok
; |exc 0D err=0068 ip=ok
; |exc 0C err=0058 ip=ok
; |limit: last byte=5A
; s|exc 0D err=0000 ip=ok
; s|exc 0D err=0000 ip=ok
; s|exc 0C err=0000 ip=ok
; |expand-down: 1000=A5 FFFF=C3
; s|exc 0D err=0000 ip=ok
; s|exc 0D err=0000 ip=ok
; s|exc 0D err=0000 ip=ok
; |cache: old=11 new=22
; |lar xo=9800 fl=0040
; |lar tss=8B00 fl=0040
; |lar null=1234 fl=0000
; |lsl lim=0FFF fl=0040
; |lsl flat=FFFFFFFF fl=0040
; |lsl tss=0067 fl=0040
; |verr code=0 fl=0040
; |verr xo=0 fl=0000
; |verw ro=0 fl=0000
; |verw data=0 fl=0040
; |real mode: cs=F000 pe=0000
; |exc 06 ip=ok
; |unreal: ok
; |again: pe=0001
; |real mode: cs=F000
; s|exc 0D ip=ok
; |done
;
%include "test.inc"

%macro PM_EXTRA_GDT 0
        DESC    0x10000, 0x0FFF, 0x92, 0x0      ; 40 D_LIM: limit 0FFF
        DESC    0, 0xFFFF, 0x90, 0x0            ; 48 D_RO: read-only
        DESC    0xF0000, 0xFFFF, 0x98, 0x0      ; 50 C_XO: execute-only code
        DESC    0, 0xFFFF, 0x12, 0x0            ; 58 D_NP: not present
        DESC    0x10000, 0x0FFF, 0x96, 0x0      ; 60 D_ED: expand-down, 1000-FFFF
        DESC    0, 0xFFFF, 0xF2, 0x0            ; 68 D_DPL3
%endmacro
%include "pm.inc"

D_LIM   equ 0x40
D_RO    equ 0x48
C_XO    equ 0x50
D_NP    equ 0x58
D_ED    equ 0x60
D_DPL3  equ 0x68

; LOADFAULT sreg, selector: a load that must fault
%macro LOADFAULT 2
        mov     ax, %2
        EXPECT_EXC %%f, %%r
%%f:    mov     %1, ax
%%r:
%endmacro

%macro ACCFAULT 1+                      ; an access that must fault
        EXPECT_EXC %%f, %%r
%%f:    %1
%%r:    EXPECT_DONE                     ; QEMU does not check data segment limits
%endmacro

start:  TEST_INIT
        PM_ENTER
        smsw    ax
        and     ax, 1
        P       "pe="
        H16     ax
        P       " cs="
        H16     cs
        P       " ss="
        H16     ss
        str     ax
        P       " tr="
        H16     ax
        NL

        ; --- segment loads -----------------------------------------------------------
        xor     ax, ax
        mov     ds, ax                  ; a null selector loads into DS...
        P       "null ds: load ok", 10
        ACCFAULT mov al, [0]            ; ...but using it is #GP(0)
        mov     ax, D_0
        mov     ds, ax
        LOADFAULT ds, 0x01F8            ; beyond the GDT limit
        LOADFAULT ds, C_XO              ; execute-only code is not readable
        LOADFAULT es, D_NP              ; not present: #NP(sel)
        LOADFAULT ss, 0                 ; null SS: #GP(0)
        LOADFAULT ss, D_RO              ; SS must be writable
        LOADFAULT ss, D_DPL3            ; SS DPL must equal CPL
        LOADFAULT ss, D_NP              ; not present SS: #SS(sel)

        ; --- limits and types ---------------------------------------------------------
        mov     byte [dword 0x10FFF], 0x5A
        mov     ax, D_LIM
        mov     es, ax
        mov     al, [es:0x0FFF]
        VAL8    "limit: last byte", al
        ACCFAULT mov al, [es:0x1000]
        ACCFAULT mov ax, [es:0x0FFF]    ; a word straddling the limit
        mov     ax, D_LIM
        mov     ss, ax
        mov     sp, 0x0800
        ACCFAULT mov al, [ss:0x1000]    ; through SS: #SS(0)
        mov     ax, D_0
        mov     ss, ax
        mov     sp, 0x7000
        mov     byte [dword 0x11000], 0xA5
        mov     byte [dword 0x1FFFF], 0xC3
        mov     ax, D_ED
        mov     es, ax
        mov     bl, [es:0x1000]
        mov     cl, [es:0xFFFF]
        P       "expand-down: 1000="
        H8      bl
        P       " FFFF="
        H8      cl
        NL
        ACCFAULT mov al, [es:0x0FFF]    ; below the lower bound of expand-down
        mov     ax, D_RO
        mov     es, ax
        ACCFAULT mov byte [es:0x700], 1 ; write to read-only data
        ACCFAULT mov [cs:0x100], al     ; write to code

        ; --- descriptor cache: a loaded register keeps its base after the GDT changes --
        mov     byte [dword 0x10000], 0x11
        mov     byte [dword 0x20000], 0x22
        mov     ax, D_LIM
        mov     es, ax
        mov     byte [GDT_BASE + D_LIM + 4], 0x02       ; base 20000
        mov     bl, [es:0]
        mov     es, ax
        mov     cl, [es:0]
        mov     byte [GDT_BASE + D_LIM + 4], 0x01
        P       "cache: old="
        H8      bl
        P       " new="
        H8      cl
        NL

        ; --- LAR LSL VERR VERW ----------------------------------------------------------
        mov     bx, C_XO
        lar     ax, bx
        RES16   "lar xo", ax, F_ZF
        mov     bx, TSS0
        lar     ax, bx
        RES16   "lar tss", ax, F_ZF
        mov     ax, 0x1234
        xor     bx, bx
        lar     ax, bx
        RES16   "lar null", ax, F_ZF
        mov     bx, D_LIM
        lsl     ax, bx
        RES16   "lsl lim", ax, F_ZF
        mov     bx, D_0
        lsl     eax, bx
        RES32   "lsl flat", eax, F_ZF
        mov     bx, TSS0
        lsl     ax, bx
        RES16   "lsl tss", ax, F_ZF
        mov     ax, C16_0
        verr    ax
        pushf
        P       "verr code=0"
        FL      F_ZF
        NL
        mov     ax, C_XO
        verr    ax
        pushf
        P       "verr xo=0"
        FL      F_ZF
        NL
        mov     ax, D_RO
        verw    ax
        pushf
        P       "verw ro=0"
        FL      F_ZF
        NL
        mov     ax, D_0
        verw    ax
        pushf
        P       "verw data=0"
        FL      F_ZF
        NL

        ; --- back to real mode, with GS cached at 4 GiB -----------------------------------
        mov     ax, D_0
        mov     gs, ax
        PM_LEAVE
        smsw    ax
        and     ax, 1
        P       "real mode: cs="
        H16     cs
        P       " pe="
        H16     ax
        NL
        ACCFAULT ud2                    ; through the IVT again
        mov     eax, [dword gs:0x10000]       ; beyond FFFF: the 4 GiB limit stayed
        P       "unreal: ok", 10

        ; --- in and out once more, now GS gets a 64 KiB limit ----------------------------
        PM_ENTER
        smsw    ax
        and     ax, 1
        VAL16   "again: pe", ax
        mov     ax, D16_RM
        mov     gs, ax
        PM_LEAVE
        VAL16   "real mode: cs", cs
        ACCFAULT mov eax, [dword gs:0x10000]
        P       "done", 10
        TEST_PASS
        ROM_END
