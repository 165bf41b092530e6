; a20.asm - the A20 gate through port 0x92 (System Control Port A), bit 1 = A20 enabled
; (bit 0, fast reset, is always written as 0). With A20 disabled, address bit 20 is
; forced to 0, so FFFF:0010-FFFF:FFFF alias 0000:0000-0000:FFEF; with it enabled they
; reach 100000-10FFEF (RAM above 1 MiB is needed). Data and code both follow the gate:
; a far call to FFFF:0610 runs the code at 100600 or 000600 depending on A20, which
; catches a translation cache keyed on addresses without the A20 mask.
;
; expect-exit: 1
; expect-output:
; |a20 on: port92.1=01 0000:0500=11 FFFF:0510=22 code FFFF:0610 -> 02
; |a20 off: port92.1=00 0000:0500=11 FFFF:0510=11 code FFFF:0610 -> 01
; |a20 off: store via FFFF:0510 -> 0000:0500=33, FFFF:0010 equals 0000:0000
; |a20 on again: port92.1=01 0000:0500=33 FFFF:0510=22 code FFFF:0610 -> 02
; |a20 off again: port92.1=00 0000:0500=33 FFFF:0510=33 code FFFF:0610 -> 01
;
%include "test.inc"

%macro A20 1                            ; A20 0/1 through port 92
        in      al, 0x92
        and     al, 0xFC
%if %1
        or      al, 0x02
%endif
        out     0x92, al
%endmacro

%macro SHOW 1
        P       %1, ": port92.1="
        in      al, 0x92
        shr     al, 1
        and     al, 1
        H8      al
        P       " 0000:0500="
        H8      [0x0500]
        P       " FFFF:0510="
        H8      [fs:0x0510]
        P       " code FFFF:0610 -> "
        mov     al, 0xEE
        call    0xFFFF:0x0610
        H8      al
        NL
%endmacro

start:  TEST_INIT
        mov     ax, 0xFFFF
        mov     fs, ax

        A20     1
        mov     byte [0x0500], 0x11
        mov     byte [fs:0x0510], 0x22  ; linear 100500
        mov     si, code_lo             ; "mov al, 0x01 / retf" at 000600
        mov     di, 0x0600
        mov     cx, code_len
        cs rep movsb
        mov     si, code_hi             ; "mov al, 0x02 / retf" at 100600 = FFFF:0610
        mov     ax, 0xFFFF
        mov     es, ax
        mov     di, 0x0610
        mov     cx, code_len
        cs rep movsb
        xor     ax, ax
        mov     es, ax
        SHOW    "a20 on"

        A20     0
        SHOW    "a20 off"
        mov     byte [fs:0x0510], 0x33  ; lands on 000500
        mov     ax, [fs:0x0010]         ; FFFF:0010 = 0000:0000 (IVT entry 0)
        mov     dx, [0x0000]
        P       "a20 off: store via FFFF:0510 -> 0000:0500="
        H8      [0x0500]
        P       ", FFFF:0010 "
        cmp     ax, dx
        je      .same
        P       "differs from"
        jmp     .said
.same:  P       "equals"
.said:  P       " 0000:0000"
        NL

        A20     1
        SHOW    "a20 on again"
        A20     0
        SHOW    "a20 off again"
        A20     1

        TEST_PASS

code_lo:
        mov     al, 0x01
        retf
code_len equ $ - code_lo
code_hi:
        mov     al, 0x02
        retf

        ROM_END
