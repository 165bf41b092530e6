; alu.asm - two-operand integer ALU: ADD ADC SUB SBB AND OR XOR CMP TEST in 8, 16 and
; 32 bits, register/register, every immediate form (04/05 short forms, 80/81/83, the 82
; alias of 80), memory destination and memory source.
;
; Each line: "<op><bits> A B c<CF in> = result fl=<flags>". The flags going in are
; 0002|CF (all others clear), except the "*" cases, which start from 08D7|CF-in (all six
; status flags set), to show they are all written. Flags shown: OSZAPC, but AF is masked
; for AND/OR/XOR/TEST, where the SDM leaves it undefined. CMP and TEST show the
; unchanged destination.
;
; expect-exit: 1
; expect-output:
; |add16 1234 4321 c0 = 5555 fl=0004
; |add16 7FFF 0001 c0 = 8000 fl=0894
; |add16 FFFF 0001 c1 = 0000 fl=0055
; |add16 8000 8000 c0 = 0000 fl=0845
; |add16 000F 0001 c0 = 0010 fl=0010
; |*add16 0000 0000 c1 = 0000 fl=0044
; |add8 7F 01 c0 = 80 fl=0890
; |add8 FF FF c0 = FE fl=0091
; |add8 80 80 c1 = 00 fl=0845
; |add32 7FFFFFFF 00000001 c0 = 80000000 fl=0894
; |add32 FFFFFFFF 00000001 c0 = 00000000 fl=0055
; |add32 12345678 9ABCDEF0 c0 = ACF13568 fl=0080
; |adc16 FFFF 0000 c1 = 0000 fl=0055
; |adc16 7FFF 0000 c1 = 8000 fl=0894
; |adc16 FFFF FFFF c1 = FFFF fl=0095
; |adc16 1234 1111 c0 = 2345 fl=0000
; |adc16 000E 0001 c1 = 0010 fl=0010
; |adc8 FF 00 c1 = 00 fl=0055
; |adc8 7F 7F c1 = FF fl=0894
; |adc32 FFFFFFFF FFFFFFFF c1 = FFFFFFFF fl=0095
; |adc32 7FFFFFFF 00000000 c1 = 80000000 fl=0894
; |sub16 0000 0001 c0 = FFFF fl=0095
; |sub16 8000 0001 c0 = 7FFF fl=0814
; |sub16 1234 1234 c1 = 0000 fl=0044
; |sub16 0010 0001 c0 = 000F fl=0014
; |sub16 7FFF FFFF c0 = 8000 fl=0885
; |sub8 80 01 c0 = 7F fl=0810
; |sub8 00 80 c0 = 80 fl=0881
; |sub32 00000000 00000001 c0 = FFFFFFFF fl=0095
; |sub32 80000000 00000001 c1 = 7FFFFFFF fl=0814
; |sbb16 0000 0000 c1 = FFFF fl=0095
; |sbb16 8000 0000 c1 = 7FFF fl=0814
; |sbb16 1234 1233 c1 = 0000 fl=0044
; |sbb16 FFFF FFFF c1 = FFFF fl=0095
; |sbb16 0010 000F c0 = 0001 fl=0010
; |sbb8 00 FF c1 = 00 fl=0055
; |sbb8 80 7F c1 = 00 fl=0854
; |sbb32 00000000 FFFFFFFF c1 = 00000000 fl=0055
; |sbb32 80000000 00000000 c1 = 7FFFFFFF fl=0814
; |and16 F0F0 0FF0 c0 = 00F0 fl=0004
; |*and16 8001 8000 c1 = 8000 fl=0084
; |*and16 5555 AAAA c1 = 0000 fl=0044
; |and8 0F 03 c0 = 03 fl=0004
; |and32 FFFF0000 8000FFFF c0 = 80000000 fl=0084
; |*or16 0000 0000 c1 = 0000 fl=0044
; |or16 1200 0034 c0 = 1234 fl=0000
; |or8 80 01 c0 = 81 fl=0084
; |*or32 00010000 00000100 c1 = 00010100 fl=0004
; |*xor16 FFFF FFFF c1 = 0000 fl=0044
; |xor16 AAAA 5555 c0 = FFFF fl=0084
; |xor8 81 80 c0 = 01 fl=0000
; |xor32 12345678 12345679 c0 = 00000001 fl=0000
; |cmp16 0005 0007 c0 = 0005 fl=0091
; |cmp16 8000 0001 c0 = 8000 fl=0814
; |cmp16 4000 4000 c1 = 4000 fl=0044
; |cmp8 7F 80 c0 = 7F fl=0885
; |cmp32 00000001 FFFFFFFF c0 = 00000001 fl=0011
; |*test16 8000 8000 c1 = 8000 fl=0084
; |*test16 00FF FF00 c1 = 00FF fl=0044
; |test8 03 01 c0 = 03 fl=0000
; |test32 80000001 FFFFFFFE c0 = 80000001 fl=0084
; |04 add al,20 ax=0010 fl=0001
; |1D sbb ax,0FFF ax=0000 fl=0054
; |35 xor eax,FFFFFFFF eax=21524110 fl=0000
; |83 add bx,-1 bx=00FF fl=0005
; |83 sub ebx,-3 ebx=00000008 fl=0011
; |83 and edx,80 edx=00000080 fl=0000
; |81 cmp cx,1234 cx=1234 fl=0044
; |80 add dh,01 dx=8000 fl=0890
; |82 sub al,07 ax=00FE fl=0091
; |F7 test si,00AA si=55AA fl=0004
; |A8 test al,C0 al=40 fl=0000
; |mem add/adc =00010001 fl=0000
; |mem sub8=FF fl=0095
; |mem or32 ecx=0FFFFF0F fl=0004
; |mem and32=0F0F0F0F fl=0004
; |mem cmp32=0F0F0F0F fl=0085
; |mem test8=0F fl=0000
; |add64 =8000000100000000 fl=0890
; |sub64 =FFFFFFFFFFFFFFFF fl=0095
;
%include "test.inc"

; ALU op, bits, a, b, cf-in [, flags-in base]
%macro ALU 5-6 0x0002
%ifidni %1, and
 %define ALU_MASK F_LOGIC
%elifidni %1, or
 %define ALU_MASK F_LOGIC
%elifidni %1, xor
 %define ALU_MASK F_LOGIC
%elifidni %1, test
 %define ALU_MASK F_LOGIC
%else
 %define ALU_MASK F_ALL
%endif
%defstr ALU_NAME %1
%if %6 != 0x0002
        P       "*"
%endif
%if %2 == 8
        P       ALU_NAME, "8 "
        H8      %3
        P       " "
        H8      %4
        P       " c", '0' + (%5), " = "
        push    word (%6) | (%5)
        popf
        mov     al, %3
        mov     bl, %4
        %1      al, bl
        pushf
        H8      al
%elif %2 == 16
        P       ALU_NAME, "16 "
        H16     %3
        P       " "
        H16     %4
        P       " c", '0' + (%5), " = "
        push    word (%6) | (%5)
        popf
        mov     ax, %3
        mov     bx, %4
        %1      ax, bx
        pushf
        H16     ax
%else
        P       ALU_NAME, "32 "
        H32     %3
        P       " "
        H32     %4
        P       " c", '0' + (%5), " = "
        push    word (%6) | (%5)
        popf
        mov     eax, %3
        mov     ebx, %4
        %1      eax, ebx
        pushf
        H32     eax
%endif
        FL      ALU_MASK
        NL
%endmacro

start:  TEST_INIT

        ALU     add, 16, 0x1234, 0x4321, 0
        ALU     add, 16, 0x7FFF, 0x0001, 0
        ALU     add, 16, 0xFFFF, 0x0001, 1
        ALU     add, 16, 0x8000, 0x8000, 0
        ALU     add, 16, 0x000F, 0x0001, 0
        ALU     add, 16, 0x0000, 0x0000, 1, 0x08D7
        ALU     add, 8,  0x7F, 0x01, 0
        ALU     add, 8,  0xFF, 0xFF, 0
        ALU     add, 8,  0x80, 0x80, 1
        ALU     add, 32, 0x7FFFFFFF, 0x00000001, 0
        ALU     add, 32, 0xFFFFFFFF, 0x00000001, 0
        ALU     add, 32, 0x12345678, 0x9ABCDEF0, 0

        ALU     adc, 16, 0xFFFF, 0x0000, 1
        ALU     adc, 16, 0x7FFF, 0x0000, 1
        ALU     adc, 16, 0xFFFF, 0xFFFF, 1
        ALU     adc, 16, 0x1234, 0x1111, 0
        ALU     adc, 16, 0x000E, 0x0001, 1
        ALU     adc, 8,  0xFF, 0x00, 1
        ALU     adc, 8,  0x7F, 0x7F, 1
        ALU     adc, 32, 0xFFFFFFFF, 0xFFFFFFFF, 1
        ALU     adc, 32, 0x7FFFFFFF, 0x00000000, 1

        ALU     sub, 16, 0x0000, 0x0001, 0
        ALU     sub, 16, 0x8000, 0x0001, 0
        ALU     sub, 16, 0x1234, 0x1234, 1
        ALU     sub, 16, 0x0010, 0x0001, 0
        ALU     sub, 16, 0x7FFF, 0xFFFF, 0
        ALU     sub, 8,  0x80, 0x01, 0
        ALU     sub, 8,  0x00, 0x80, 0
        ALU     sub, 32, 0x00000000, 0x00000001, 0
        ALU     sub, 32, 0x80000000, 0x00000001, 1

        ALU     sbb, 16, 0x0000, 0x0000, 1
        ALU     sbb, 16, 0x8000, 0x0000, 1
        ALU     sbb, 16, 0x1234, 0x1233, 1
        ALU     sbb, 16, 0xFFFF, 0xFFFF, 1
        ALU     sbb, 16, 0x0010, 0x000F, 0
        ALU     sbb, 8,  0x00, 0xFF, 1
        ALU     sbb, 8,  0x80, 0x7F, 1
        ALU     sbb, 32, 0x00000000, 0xFFFFFFFF, 1
        ALU     sbb, 32, 0x80000000, 0x00000000, 1

        ALU     and, 16, 0xF0F0, 0x0FF0, 0
        ALU     and, 16, 0x8001, 0x8000, 1, 0x08D7
        ALU     and, 16, 0x5555, 0xAAAA, 1, 0x08D7
        ALU     and, 8,  0x0F, 0x03, 0
        ALU     and, 32, 0xFFFF0000, 0x8000FFFF, 0

        ALU     or,  16, 0x0000, 0x0000, 1, 0x08D7
        ALU     or,  16, 0x1200, 0x0034, 0
        ALU     or,  8,  0x80, 0x01, 0
        ALU     or,  32, 0x00010000, 0x00000100, 1, 0x08D7

        ALU     xor, 16, 0xFFFF, 0xFFFF, 1, 0x08D7
        ALU     xor, 16, 0xAAAA, 0x5555, 0
        ALU     xor, 8,  0x81, 0x80, 0
        ALU     xor, 32, 0x12345678, 0x12345679, 0

        ALU     cmp, 16, 0x0005, 0x0007, 0
        ALU     cmp, 16, 0x8000, 0x0001, 0
        ALU     cmp, 16, 0x4000, 0x4000, 1
        ALU     cmp, 8,  0x7F, 0x80, 0
        ALU     cmp, 32, 0x00000001, 0xFFFFFFFF, 0

        ALU     test, 16, 0x8000, 0x8000, 1, 0x08D7
        ALU     test, 16, 0x00FF, 0xFF00, 1, 0x08D7
        ALU     test, 8,  0x03, 0x01, 0
        ALU     test, 32, 0x80000001, 0xFFFFFFFE, 0

; --- immediate and memory forms ------------------------------------------------------
        clc
        mov     ax, 0x00F0
        add     al, 0x20                ; 04 ib
        RES16   "04 add al,20 ax", ax, F_ALL
        stc
        mov     ax, 0x1000
        sbb     ax, 0x0FFF              ; 1D iw
        RES16   "1D sbb ax,0FFF ax", ax, F_ALL
        mov     eax, 0xDEADBEEF
        xor     eax, 0xFFFFFFFF         ; 35 id
        RES32   "35 xor eax,FFFFFFFF eax", eax, F_LOGIC
        mov     bx, 0x0100
        add     bx, byte -1             ; 83 /0 ib, sign-extended
        RES16   "83 add bx,-1 bx", bx, F_ALL
        mov     ebx, 0x00000005
        sub     ebx, byte -3            ; 83 /5 ib
        RES32   "83 sub ebx,-3 ebx", ebx, F_ALL
        mov     edx, 0x00000080
        and     edx, byte -0x80         ; 83 /4 ib 80: sign-extends to FFFFFF80
        RES32   "83 and edx,80 edx", edx, F_LOGIC
        mov     cx, 0x1234
        cmp     cx, word 0x1234         ; 81 /7 iw
        RES16   "81 cmp cx,1234 cx", cx, F_ALL
        mov     dx, 0x7F00
        add     dh, 0x01                ; 80 /0 on a high byte register
        RES16   "80 add dh,01 dx", dx, F_ALL
        mov     ax, 0x0005
        db      0x82, 0xE8, 0x07        ; 82 /5 ib = sub al,7 (alias of 80 outside long mode)
        RES16   "82 sub al,07 ax", ax, F_ALL
        mov     si, 0x55AA
        test    si, 0x00AA              ; F7 /0 iw
        RES16   "F7 test si,00AA si", si, F_LOGIC
        mov     al, 0x40
        test    al, 0xC0                ; A8 ib
        RES8    "A8 test al,C0 al", al, F_LOGIC

        mov     word [DATA], 0xFFFE
        mov     word [DATA+2], 0x0000
        mov     ax, 0x0003
        add     [DATA], ax              ; 01 /r, memory destination
        adc     word [DATA+2], 0        ; 83 /2, memory destination, carry in
        pushf
        P       "mem add/adc ="
        H16     [DATA+2]
        H16     [DATA]
        FL      F_ALL
        NL
        mov     byte [DATA+4], 0x10
        sub     byte [DATA+4], 0x11     ; 80 /5 mem
        RES8    "mem sub8", [DATA+4], F_ALL
        mov     dword [DATA+8], 0x0F0F0F0F
        mov     ecx, 0x00FFFF00
        or      ecx, [DATA+8]           ; 0B /r, memory source
        RES32   "mem or32 ecx", ecx, F_LOGIC
        and     [DATA+8], ecx           ; 21 /r memory destination
        RES32   "mem and32", [DATA+8], F_LOGIC
        mov     bx, DATA+8
        cmp     dword [bx], 0x0FFFFF0F  ; 81 /7 id, memory
        RES32   "mem cmp32", [bx], F_ALL
        test    [bx+1], bl              ; 84 /r, memory
        RES8    "mem test8", [bx+1], F_LOGIC

; 64-bit add and subtract as ADD/ADC and SUB/SBB chains.
        mov     eax, 0xFFFFFFFF
        mov     edx, 0x00000001
        add     eax, 0x00000001
        adc     edx, 0x7FFFFFFF
        pushf
        P       "add64 ="
        H32     edx
        H32     eax
        FL      F_ALL
        NL
        mov     eax, 0x00000000
        mov     edx, 0x00000000
        sub     eax, 0x00000001
        sbb     edx, 0x00000000
        pushf
        P       "sub64 ="
        H32     edx
        H32     eax
        FL      F_ALL
        NL

        TEST_PASS
        ROM_END
