; flags.asm - PUSHF/POPF and PUSHFD/POPFD in real mode (which bits stick: bits 1 and
; 15/3/5 are fixed, IOPL and NT are writable at real-mode privilege, AC and ID are
; writable on a 486+/CPUID-capable CPU, VM VIF VIP are unaffected by POPFD, and PUSHFD
; stores VM and RF as 0), LAHF, SAHF (OF is untouched), CLC STC CMC CLD STD CLI STI.
; TF and IF are never set through POPF here (IF only through STI with IRQs masked).
;
; expect-exit: 1
; expect-output:
; |popf FCFF: fl=7CD7
; |popf 0000: fl=0002
; |popf 3000: fl=3002
; |popf 4000: fl=4002
; |popfd FFFFFCFF: pushfd=00247CD7
; |popfd 00040000: pushfd=00040002
; |popfd 00200000: pushfd=00200002
; |popfd 0: pushfd=00000002
; |popf 08D7 after AC: pushfd=000408D7
; |lahf all ax=D700
; |lahf none ax=0200
; |sahf FF (OF in): fl=08D7
; |sahf 00: fl=0002
; |sahf 2A: fl=0002
; |sahf 41: fl=0043
; |stc: fl=0003
; |cmc: fl=0002
; |cmc: fl=0003
; |clc: fl=0002
; |std: fl=0402
; |cld: fl=0002
; |sti: fl=0AD7
; |cli: fl=08D7
; |cmc (others set): fl=08D7
;
%include "test.inc"

; SHOWFL "label" : print FLAGS, and leave them as they were
%macro SHOWFL 1
        pushf
        pushf
        P       %1
        FL      0xFFFF
        NL
        popf
%endmacro

start:  TEST_INIT

        push    word 0xFCFF             ; all but TF and IF
        popf
        SHOWFL  "popf FCFF:"
        push    word 0x0000
        popf
        SHOWFL  "popf 0000:"
        push    word 0x3000             ; IOPL=3
        popf
        SHOWFL  "popf 3000:"
        push    word 0x4000             ; NT
        popf
        SHOWFL  "popf 4000:"

        push    dword 0xFFFFFCFF        ; all but TF and IF, incl. VM VIF VIP RF AC ID
        popfd
        pushfd
        pop     eax
        VAL32   "popfd FFFFFCFF: pushfd", eax
        push    dword 0x00040000        ; AC
        popfd
        pushfd
        pop     eax
        VAL32   "popfd 00040000: pushfd", eax
        push    dword 0x00200000        ; ID: toggling it shows that CPUID exists
        popfd
        pushfd
        pop     eax
        VAL32   "popfd 00200000: pushfd", eax
        push    dword 0
        popfd
        pushfd
        pop     eax
        VAL32   "popfd 0: pushfd", eax
        push    dword 0x00040000
        popfd
        push    word 0x08D7
        popf                            ; 16-bit POPF leaves EFLAGS[31:16] (AC) alone
        pushfd
        pop     eax
        VAL32   "popf 08D7 after AC: pushfd", eax
        push    dword 0
        popfd

; LAHF: AH = SF ZF 0 AF 0 PF 1 CF. SAHF: SF ZF AF PF CF from AH; OF unaffected.
        push    word 0x08D7
        popf
        mov     ax, 0
        lahf
        VAL16   "lahf all ax", ax
        push    word 0x0802
        popf
        lahf
        VAL16   "lahf none ax", ax
        push    word 0x0802             ; OF set
        popf
        mov     ah, 0xFF
        sahf
        SHOWFL  "sahf FF (OF in):"
        push    word 0x00D7
        popf
        mov     ah, 0x00
        sahf
        SHOWFL  "sahf 00:"
        mov     ah, 0x2A                ; bits 1, 3, 5 of AH are not flags
        sahf
        SHOWFL  "sahf 2A:"
        mov     ah, 0x41
        sahf
        SHOWFL  "sahf 41:"

; CLC STC CMC CLD STD CLI STI each change their one flag.
        push    word 0x0002
        popf
        stc
        SHOWFL  "stc:"
        cmc
        SHOWFL  "cmc:"
        cmc
        SHOWFL  "cmc:"
        clc
        SHOWFL  "clc:"
        std
        SHOWFL  "std:"
        cld
        SHOWFL  "cld:"
        push    word 0x08D7
        popf
        sti                             ; IRQs are masked at the PIC
        SHOWFL  "sti:"
        cli
        SHOWFL  "cli:"
        push    word 0x08D6
        popf
        cmc
        SHOWFL  "cmc (others set):"

        TEST_PASS
        ROM_END
