; muldiv.asm - MUL, IMUL (one-operand, two-operand 0F AF, three-operand 6B/69), DIV and
; IDIV in 8, 16 and 32 bits, register and memory operands, and #DE (vector 0) for a zero
; divisor and for a quotient that does not fit, delivered through the IVT with the IP of
; the faulting instruction and with every register unchanged.
;
; After MUL/IMUL only CF and OF are defined (shown, mask 0801); after DIV/IDIV no flag is
; defined (none shown). Lines: "<op><bits> A B = <high>:<low> fl=" for products,
; "<op><bits> <dividend> / B = q <quotient> r <remainder>" for divisions.
;
; expect-exit: 1
; expect-output:
; |mul8 10 10 = 0100 fl=0801
; |mul8 0F 11 = 00FF fl=0000
; |mul8 FF FF = FE01 fl=0801
; |mul16 1234 0010 = 0001:2340 fl=0801
; |mul16 FFFF FFFF = FFFE:0001 fl=0801
; |mul16 0100 00FF = 0000:FF00 fl=0000
; |mul32 00010000 00010000 = 00000001:00000000 fl=0801
; |mul32 FFFFFFFF FFFFFFFF = FFFFFFFE:00000001 fl=0801
; |mul32 12345678 00000002 = 00000000:2468ACF0 fl=0000
; |imul8 FF FF = 0001 fl=0000
; |imul8 80 FF = 0080 fl=0801
; |imul8 F0 08 = FF80 fl=0000
; |imul8 EF 08 = FF78 fl=0801
; |imul16 8000 8000 = 4000:0000 fl=0801
; |imul16 FFFF 7FFF = FFFF:8001 fl=0000
; |imul16 0100 0080 = 0000:8000 fl=0801
; |imul32 80000000 FFFFFFFF = 00000000:80000000 fl=0801
; |imul32 FFFFFFFE 00000003 = FFFFFFFF:FFFFFFFA fl=0000
; |imul32 40000000 00000002 = 00000000:80000000 fl=0801
; |imul cx,si ecx=CCCC8000 fl=0801
; |imul cx,[m] cx=FFFD fl=0000
; |imul ecx,edi ecx=80000000 fl=0801
; |imul ecx,edi ecx=7FFF0000 fl=0000
; |imul dx,bx,-2 dx=FE00 fl=0000
; |imul dx,bx,2 dx=8000 fl=0801
; |imul dx,bx,1234 dx=369C fl=0000
; |imul ebp,[m],12345678 ebp=EDCBA988 fl=0000
; |imul ebp,[m],01000000 ebp=00000000 fl=0801
; |imul ax,ax,7 ax=0031 fl=0000
; |mul m16 = 0006:0000 fl=0801
; |imul m8 ax=FF80 fl=0000
; |div8 0064 / 07 = q 0E r 02
; |div8 FEFF / FF = q FF r FE
; |div16 00000064 / 000A = q 000A r 0000
; |div16 FFFEFFFF / FFFF = q FFFF r FFFE
; |div16 12345678 / 8000 = q 2468 r 5678
; |div32 00000000FFFFFFFF / 00000010 = q 0FFFFFFF r 0000000F
; |div32 0000000100000000 / 00000002 = q 80000000 r 00000000
; |div32 FFFFFFFEFFFFFFFF / FFFFFFFF = q FFFFFFFF r FFFFFFFE
; |idiv8 FF9C / 07 = q F2 r FE
; |idiv8 0064 / F9 = q F2 r 02
; |idiv8 FF00 / 02 = q 80 r 00
; |idiv8 007F / 01 = q 7F r 00
; |idiv16 FFFFFFF9 / 0002 = q FFFD r FFFF
; |idiv16 00008000 / FFFF = q 8000 r 0000
; |idiv32 FFFFFFFF80000000 / 00010000 = q FFFF8000 r 00000000
; |idiv32 0000000000000064 / FFFFFFF6 = q FFFFFFF6 r 00000000
; |idiv32 FFFFFFFFFFFFFFFF / 00000003 = q 00000000 r FFFFFFFF
; |div m32 = q 00000007 r 00000001
; |idiv m8 ax=FF05
; |exc 00 ip=ok
; |  div8 by 0: eax=11112222 edx=33334444
; |exc 00 ip=ok
; |  div8 1000/10: eax=11111000 edx=33334444
; |exc 00 ip=ok
; |  idiv16 C0000000/8000: eax=11110000 edx=3333C000
; |exc 00 ip=ok
; |  idiv32 -2^31/-1: eax=80000000 edx=FFFFFFFF
; |exc 00 ip=ok
; |  idiv8 8000/FF: eax=11118000 edx=33334444
; |exc 00 ip=ok
; |  div m16 by 0: eax=11112222 edx=33334444
; |exc 00 ip=ok
; |  idiv m32 by 0: eax=11112222 edx=33334444
; |exceptions taken=0007
;
%include "test.inc"

F_MUL   equ F_CF | F_OF

; MUL1 op, bits, a, b : one-operand MUL/IMUL of the accumulator by a register
%macro MUL1 4
%defstr MUL_NAME %1
        mov     edx, 0xDDDDDDDD
        mov     eax, 0xAAAAAAAA
%if %2 == 8
        mov     al, %3
        mov     bl, %4
        P       MUL_NAME, "8 "
        H8      al
        P       " "
        H8      bl
        %1      bl
        pushf
        P       " = "
        H16     ax
%elif %2 == 16
        mov     ax, %3
        mov     bx, %4
        P       MUL_NAME, "16 "
        H16     ax
        P       " "
        H16     bx
        %1      bx
        pushf
        P       " = "
        H16     dx
        P       ":"
        H16     ax
%else
        mov     eax, %3
        mov     ebx, %4
        P       MUL_NAME, "32 "
        H32     eax
        P       " "
        H32     ebx
        %1      ebx
        pushf
        P       " = "
        H32     edx
        P       ":"
        H32     eax
%endif
        FL      F_MUL
        NL
%endmacro

; DIV1 op, bits, high, low, divisor : one-operand DIV/IDIV (high = AH, DX or EDX)
%macro DIV1 5
%defstr DIV_NAME %1
        mov     eax, 0xAAAAAAAA
        mov     edx, 0xDDDDDDDD
%if %2 == 8
        mov     ah, %3
        mov     al, %4
        mov     bl, %5
        P       DIV_NAME, "8 "
        H16     ax
        P       " / "
        H8      bl
        %1      bl
        P       " = q "
        H8      al
        P       " r "
        H8      ah
%elif %2 == 16
        mov     dx, %3
        mov     ax, %4
        mov     bx, %5
        P       DIV_NAME, "16 "
        H16     dx
        H16     ax
        P       " / "
        H16     bx
        %1      bx
        P       " = q "
        H16     ax
        P       " r "
        H16     dx
%else
        mov     edx, %3
        mov     eax, %4
        mov     ebx, %5
        P       DIV_NAME, "32 "
        H32     edx
        H32     eax
        P       " / "
        H32     ebx
        %1      ebx
        P       " = q "
        H32     eax
        P       " r "
        H32     edx
%endif
        NL
%endmacro

start:  TEST_INIT

        MUL1    mul, 8,  0x10, 0x10
        MUL1    mul, 8,  0x0F, 0x11
        MUL1    mul, 8,  0xFF, 0xFF
        MUL1    mul, 16, 0x1234, 0x0010
        MUL1    mul, 16, 0xFFFF, 0xFFFF
        MUL1    mul, 16, 0x0100, 0x00FF
        MUL1    mul, 32, 0x00010000, 0x00010000
        MUL1    mul, 32, 0xFFFFFFFF, 0xFFFFFFFF
        MUL1    mul, 32, 0x12345678, 0x00000002
        MUL1    imul, 8,  0xFF, 0xFF
        MUL1    imul, 8,  0x80, 0xFF
        MUL1    imul, 8,  0xF0, 0x08
        MUL1    imul, 8,  0xEF, 0x08
        MUL1    imul, 16, 0x8000, 0x8000
        MUL1    imul, 16, 0xFFFF, 0x7FFF
        MUL1    imul, 16, 0x0100, 0x0080
        MUL1    imul, 32, 0x80000000, 0xFFFFFFFF
        MUL1    imul, 32, 0xFFFFFFFE, 0x00000003
        MUL1    imul, 32, 0x40000000, 0x00000002

; Two- and three-operand IMUL: the product truncated to the destination size; CF=OF=1
; when the signed product did not fit.
        mov     ecx, 0xCCCC0100
        mov     si, 0x0080
        imul    cx, si                  ; 0F AF /r: 0100*0080 = 8000 does not fit
        RES32   "imul cx,si ecx", ecx, F_MUL
        mov     cx, 0xFFFF
        mov     word [DATA], 0x0003
        imul    cx, [DATA]              ; -1*3 = -3 fits
        RES16   "imul cx,[m] cx", cx, F_MUL
        mov     ecx, 0x00010000
        mov     edi, 0x00008000
        imul    ecx, edi
        RES32   "imul ecx,edi ecx", ecx, F_MUL
        mov     ecx, 0x00010000
        mov     edi, 0x00007FFF
        imul    ecx, edi
        RES32   "imul ecx,edi ecx", ecx, F_MUL
        mov     dx, 0x1111
        mov     bx, 0x0100
        imul    dx, bx, byte -2         ; 6B /r ib, imm8 sign-extended
        RES16   "imul dx,bx,-2 dx", dx, F_MUL
        mov     bx, 0x4000
        imul    dx, bx, byte 2          ; 4000*2 = 8000 does not fit in 16 signed bits
        RES16   "imul dx,bx,2 dx", dx, F_MUL
        mov     bx, 0x0003
        imul    dx, bx, 0x1234          ; 69 /r iw
        RES16   "imul dx,bx,1234 dx", dx, F_MUL
        mov     dword [DATA], 0xFFFFFFFF
        imul    ebp, [DATA], 0x12345678 ; 69 /r id, memory source
        RES32   "imul ebp,[m],12345678 ebp", ebp, F_MUL
        mov     dword [DATA], 0x00000100
        imul    ebp, [DATA], 0x01000000
        RES32   "imul ebp,[m],01000000 ebp", ebp, F_MUL
        mov     ax, 0x0007
        imul    ax, ax, byte 7          ; destination = source
        RES16   "imul ax,ax,7 ax", ax, F_MUL

; Memory-operand one-operand forms.
        mov     word [DATA], 0x0300
        mov     ax, 0x0200
        mul     word [DATA]
        pushf
        P       "mul m16 = "
        H16     dx
        P       ":"
        H16     ax
        FL      F_MUL
        NL
        mov     byte [DATA], 0xFE
        mov     al, 0x40
        imul    byte [DATA]
        RES16   "imul m8 ax", ax, F_MUL

        DIV1    div, 8,  0x00, 0x64, 0x07
        DIV1    div, 8,  0xFE, 0xFF, 0xFF
        DIV1    div, 16, 0x0000, 0x0064, 0x000A
        DIV1    div, 16, 0xFFFE, 0xFFFF, 0xFFFF
        DIV1    div, 16, 0x1234, 0x5678, 0x8000
        DIV1    div, 32, 0x00000000, 0xFFFFFFFF, 0x00000010
        DIV1    div, 32, 0x00000001, 0x00000000, 0x00000002
        DIV1    div, 32, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
        DIV1    idiv, 8,  0xFF, 0x9C, 0x07   ; -100 / 7 = -14 r -2
        DIV1    idiv, 8,  0x00, 0x64, 0xF9   ; 100 / -7 = -14 r 2
        DIV1    idiv, 8,  0xFF, 0x00, 0x02   ; -256 / 2 = -128: fits (no #DE on 286+)
        DIV1    idiv, 8,  0x00, 0x7F, 0x01
        DIV1    idiv, 16, 0xFFFF, 0xFFF9, 0x0002 ; -7 / 2 = -3 r -1 (truncates)
        DIV1    idiv, 16, 0x0000, 0x8000, 0xFFFF ; 32768 / -1 = -32768 fits
        DIV1    idiv, 32, 0xFFFFFFFF, 0x80000000, 0x00010000
        DIV1    idiv, 32, 0x00000000, 0x00000064, 0xFFFFFFF6
        DIV1    idiv, 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x00000003

        mov     dword [DATA], 0x00000007
        mov     edx, 0
        mov     eax, 50
        div     dword [DATA]
        P       "div m32 = q "
        H32     eax
        P       " r "
        H32     edx
        NL
        mov     word [DATA], 0xFFFD
        mov     ax, 0xFFF0
        idiv    byte [DATA]             ; -16 / -3 = 5 r -1
        VAL16   "idiv m8 ax", ax

; #DE: the handler sees the IP of the DIV itself; the registers keep their old values.
%macro DE 1+
        mov     eax, 0x11112222
        mov     edx, 0x33334444
        %1
%endmacro
        DE      mov bl, 0
        EXPECT_EXC .f1, .r1
.f1:    div     bl                      ; divisor 0
.r1:    P       "  div8 by 0: "
        call    show_ad
        DE      mov ax, 0x1000
        mov     bl, 0x10
        EXPECT_EXC .f2, .r2
.f2:    div     bl                      ; 1000/10 = 100 does not fit in AL
.r2:    P       "  div8 1000/10: "
        call    show_ad
        DE      mov dx, 0xC000
        mov     ax, 0
        mov     bx, 0x8000
        EXPECT_EXC .f3, .r3
.f3:    idiv    bx                      ; -2^30 / -2^15 = +2^15 does not fit
.r3:    P       "  idiv16 C0000000/8000: "
        call    show_ad
        DE      mov edx, 0xFFFFFFFF
        mov     eax, 0x80000000
        mov     ebx, 0xFFFFFFFF
        EXPECT_EXC .f4, .r4
.f4:    idiv    ebx                     ; -2^31 / -1
.r4:    P       "  idiv32 -2^31/-1: "
        call    show_ad
        DE      mov ax, 0x8000
        mov     cl, 0xFF
        EXPECT_EXC .f5, .r5
.f5:    idiv    cl                      ; -32768 / -1
.r5:    P       "  idiv8 8000/FF: "
        call    show_ad
        DE      mov word [DATA], 0
        EXPECT_EXC .f6, .r6
.f6:    div     word [DATA]             ; memory divisor 0
.r6:    P       "  div m16 by 0: "
        call    show_ad
        DE      mov dword [DATA], 0
        xor     edi, edi
        EXPECT_EXC .f7, .r7
.f7:    a32 idiv dword [ds:edi+DATA]    ; 67 prefix: the pushed IP is that of the prefix
.r7:    P       "  idiv m32 by 0: "
        call    show_ad
        mov     ax, 0
        mov     ds, ax
        P       "exceptions taken="
        H16     [EXC_COUNT]
        NL

        TEST_PASS

show_ad:
        P       "eax="
        H32     eax
        P       " edx="
        H32     edx
        NL
        ret
        ROM_END
