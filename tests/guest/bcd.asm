; bcd.asm - DAA DAS AAA AAS AAM AAD, including AAM/AAD with bases other than 10
; (D4 ib / D5 ib) and AAM 0 -> #DE (vector 0, IP of the AAM, AX unchanged).
;
; Line: "<op> ax=<in> f=<flags in> = <ax out> fl=<flags>". Flags in are built from CF and
; AF only (f=0000/0001/0010/0011), plus 08C4 (OF SF ZF PF set) to show which flags are
; written. Flags shown are those the SDM defines: DAA/DAS: SF ZF AF PF CF (OF undefined);
; AAA/AAS: AF CF (OF SF ZF PF undefined); AAM/AAD: SF ZF PF (OF AF CF undefined).
; AAA/AAS follow the SDM's AX+106h / AX-6,AH-1 (286 and later), which differ from the
; 8086's AL+6, AH+1 when AL is above F9h.
;
; expect-exit: 1
; expect-output:
; |daa ax=0000 f=0000 = 0000 fl=0044
; |daa ax=0009 f=0000 = 0009 fl=0004
; |daa ax=000A f=0000 = 0010 fl=0010
; |daa ax=0012 f=0010 = 0018 fl=0014
; |daa ax=0019 f=0010 = 001F fl=0010
; |daa ax=009A f=0000 = 0000 fl=0055
; |daa ax=1299 f=0001 = 12F9 fl=0085
; |daa ax=00A0 f=0000 = 0000 fl=0045
; |daa ax=00FF f=0011 = 0065 fl=0015
; |daa ax=0079 f=08C4 = 0079 fl=0000
; |daa ax=0093 f=0010 = 0099 fl=0094
; |das ax=0000 f=0000 = 0000 fl=0044
; |das ax=000F f=0000 = 0009 fl=0014
; |das ax=00FF f=0011 = 0099 fl=0095
; |das ax=00A0 f=0000 = 0040 fl=0001
; |das ax=0066 f=0011 = 0000 fl=0055
; |das ax=0010 f=0010 = 000A fl=0014
; |das ax=009A f=08C4 = 0034 fl=0011
; |das ax=0005 f=0001 = 00A5 fl=0085
; |aaa ax=0005 f=0000 = 0005 fl=0000
; |aaa ax=000B f=0000 = 0101 fl=0011
; |aaa ax=0102 f=0010 = 0208 fl=0011
; |aaa ax=00FA f=0000 = 0200 fl=0011
; |aaa ax=00F9 f=0011 = 010F fl=0011
; |aaa ax=0039 f=0001 = 0009 fl=0000
; |aaa ax=FF0F f=08C4 = 0005 fl=0011
; |aas ax=0005 f=0000 = 0005 fl=0000
; |aas ax=000F f=0000 = FF09 fl=0011
; |aas ax=0200 f=0010 = 000A fl=0011
; |aas ax=0205 f=0010 = 000F fl=0011
; |aas ax=0039 f=0001 = 0009 fl=0000
; |aas ax=00FF f=0011 = FF09 fl=0011
; |aam ax=0063 f=0000 = 0909 fl=0004
; |aam ax=0000 f=0000 = 0000 fl=0044
; |aam ax=AAFF f=0000 = 1905 fl=0004
; |aam 10 ax=0080 f=08C4 = 0800 fl=0044
; |aam 07 ax=00FF f=0000 = 2403 fl=0004
; |aam FF ax=0011 f=0000 = 0011 fl=0004
; |aam 01 ax=0005 f=0000 = 0500 fl=0044
; |aad ax=0909 f=0000 = 0063 fl=0004
; |aad ax=0000 f=0000 = 0000 fl=0044
; |aad ax=1905 f=0000 = 00FF fl=0084
; |aad ax=1A06 f=0000 = 000A fl=0004
; |aad 10 ax=0F0F f=0000 = 00FF fl=0084
; |aad 07 ax=0307 f=08C4 = 001C fl=0000
; |aad 00 ax=FF01 f=0000 = 0001 fl=0000
; |aad FF ax=8000 f=0000 = 0080 fl=0080
; |exc 00 ip=ok
; |  aam 0: ax=1234
; |exc 00 ip=ok
; |  aam 0: ax=00FF
;
%include "test.inc"

; BCD op, ax-in, flags-in, mask [, imm8]
%macro BCD 4-5
%defstr BCD_NAME %1
        P       BCD_NAME
%if %0 == 5
        P       " "
        H8      %5
%endif
        P       " ax="
        H16     %2
        P       " f="
        H16     %3
        P       " = "
        mov     ax, %2
        push    word 0x0002 | (%3)
        popf
%if %0 == 5
        %1      %5
%else
        %1
%endif
        pushf
        H16     ax
        FL      %4
        NL
%endmacro

M_DA    equ 0x00D5
M_AA    equ 0x0011
M_AM    equ 0x00C4

start:  TEST_INIT

        BCD     daa, 0x0000, 0x0000, M_DA
        BCD     daa, 0x0009, 0x0000, M_DA
        BCD     daa, 0x000A, 0x0000, M_DA
        BCD     daa, 0x0012, 0x0010, M_DA   ; 09+09 = 12 with AF: 18
        BCD     daa, 0x0019, 0x0010, M_DA   ; AF in adjusts even a digit <= 9
        BCD     daa, 0x009A, 0x0000, M_DA   ; 99+01 -> 00, CF
        BCD     daa, 0x1299, 0x0001, M_DA   ; CF in: +60
        BCD     daa, 0x00A0, 0x0000, M_DA
        BCD     daa, 0x00FF, 0x0011, M_DA
        BCD     daa, 0x0079, 0x08C4, M_DA
        BCD     daa, 0x0093, 0x0010, M_DA
        BCD     das, 0x0000, 0x0000, M_DA
        BCD     das, 0x000F, 0x0000, M_DA
        BCD     das, 0x00FF, 0x0011, M_DA   ; 00-01 = FF with AF CF -> 99
        BCD     das, 0x00A0, 0x0000, M_DA
        BCD     das, 0x0066, 0x0011, M_DA
        BCD     das, 0x0010, 0x0010, M_DA
        BCD     das, 0x009A, 0x08C4, M_DA
        BCD     das, 0x0005, 0x0001, M_DA
        BCD     aaa, 0x0005, 0x0000, M_AA
        BCD     aaa, 0x000B, 0x0000, M_AA   ; 5+6: AX+106 -> 0101
        BCD     aaa, 0x0102, 0x0010, M_AA   ; AF in: 08+...
        BCD     aaa, 0x00FA, 0x0000, M_AA   ; AX+106 carries into AH: 0200
        BCD     aaa, 0x00F9, 0x0011, M_AA
        BCD     aaa, 0x0039, 0x0001, M_AA   ; CF in alone does not adjust
        BCD     aaa, 0xFF0F, 0x08C4, M_AA   ; AH wraps
        BCD     aas, 0x0005, 0x0000, M_AA
        BCD     aas, 0x000F, 0x0000, M_AA   ; AX-6, AH-1: FF09
        BCD     aas, 0x0200, 0x0010, M_AA
        BCD     aas, 0x0205, 0x0010, M_AA   ; AL-6 borrows from AH too: 0009 with AH 2-1-1
        BCD     aas, 0x0039, 0x0001, M_AA
        BCD     aas, 0x00FF, 0x0011, M_AA
        BCD     aam, 0x0063, 0x0000, M_AM   ; 99 -> 0909
        BCD     aam, 0x0000, 0x0000, M_AM
        BCD     aam, 0xAAFF, 0x0000, M_AM   ; 255 -> 1905
        BCD     aam, 0x0080, 0x08C4, M_AM, 16   ; base 16: 0800
        BCD     aam, 0x00FF, 0x0000, M_AM, 7
        BCD     aam, 0x0011, 0x0000, M_AM, 0xFF
        BCD     aam, 0x0005, 0x0000, M_AM, 1
        BCD     aad, 0x0909, 0x0000, M_AM   ; 0909 -> 0063
        BCD     aad, 0x0000, 0x0000, M_AM
        BCD     aad, 0x1905, 0x0000, M_AM   ; 25*10+5 = 255
        BCD     aad, 0x1A06, 0x0000, M_AM   ; 26*10+6 = 266 -> 0A (wraps)
        BCD     aad, 0x0F0F, 0x0000, M_AM, 16   ; base 16: FF
        BCD     aad, 0x0307, 0x08C4, M_AM, 7
        BCD     aad, 0xFF01, 0x0000, M_AM, 0
        BCD     aad, 0x8000, 0x0000, M_AM, 0xFF

; AAM 0 divides by zero.
        mov     ax, 0x1234
        EXPECT_EXC .f1, .r1
.f1:    aam     0
.r1:    VAL16   "  aam 0: ax", ax
        mov     ax, 0x00FF
        EXPECT_EXC .f2, .r2
.f2:    db      0xD4, 0x00              ; the same, hand-encoded
.r2:    VAL16   "  aam 0: ax", ax

        TEST_PASS
        ROM_END
