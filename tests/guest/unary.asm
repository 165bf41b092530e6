; unary.asm - INC DEC NEG NOT (8/16/32 bits, the 40-4F short forms, FE/FF and F6/F7
; register and memory forms), CBW CWDE CWD CDQ, MOVZX and MOVSX.
;
; Each ALU line: "<op><bits> A f<flags in> = result fl=<flags>", all six status flags
; shown: INC/DEC leave CF as it was (shown with CF in both states), NEG sets CF = (A!=0),
; NOT changes no flag at all. Flags in are 0002 (f0) or 08D7 (f1: all status flags set).
;
; expect-exit: 1
; expect-output:
; |inc16 7FFF f0 = 8000 fl=0894
; |inc16 FFFF f0 = 0000 fl=0054
; |inc16 FFFF f1 = 0000 fl=0055
; |inc16 000F f1 = 0010 fl=0011
; |inc8 7F f1 = 80 fl=0891
; |inc8 FF f0 = 00 fl=0054
; |inc32 7FFFFFFF f0 = 80000000 fl=0894
; |inc32 FFFFFFFF f1 = 00000000 fl=0055
; |dec16 8000 f0 = 7FFF fl=0814
; |dec16 0000 f0 = FFFF fl=0094
; |dec16 0001 f1 = 0000 fl=0045
; |dec16 0010 f1 = 000F fl=0015
; |dec8 80 f1 = 7F fl=0811
; |dec8 00 f1 = FF fl=0095
; |dec32 80000000 f1 = 7FFFFFFF fl=0815
; |dec32 00000001 f0 = 00000000 fl=0044
; |neg16 0000 f1 = 0000 fl=0044
; |neg16 0001 f0 = FFFF fl=0095
; |neg16 8000 f0 = 8000 fl=0885
; |neg16 7FFF f1 = 8001 fl=0091
; |neg8 80 f0 = 80 fl=0881
; |neg8 10 f0 = F0 fl=0085
; |neg32 80000000 f0 = 80000000 fl=0885
; |neg32 00000000 f1 = 00000000 fl=0044
; |not16 0000 f0 = FFFF fl=0000
; |not16 5A5A f1 = A5A5 fl=08D5
; |not8 F0 f0 = 0F fl=0000
; |not32 12345678 f1 = EDCBA987 fl=08D5
; |40-4F =0FFFFFFF1FFFFFFF2FFFFFFF3FFFFFFF 4FFFFFFF5FFFFFFF6FFFFFFF
; |inc/dec sp fl=0040
; |inc m8=00000000 fl=0055
; |dec m16=0000FFFF fl=0094
; |inc m32=00010000 fl=0014
; |neg m16=00FF0000 fl=0085
; |not m8=FFFF0000 fl=0891
; |neg m32=00010000 fl=0005
; |cbw eax=1234FF80
; |cbw eax=FFFF007F
; |cwde eax=FFFF8000
; |cwde eax=00007FFF
; |cwd edx=1111FFFF
; |cwd edx=11110000
; |cdq edx=FFFFFFFF
; |cdq edx=00000000
; |sign-extension flags fl=08D7
; |movzx/sx r16,r8 =FFFF0080 FFFFFF80
; |movzx/sx r32,ah =0000007F 0000007F
; |movzx/sx mem =000000FF FFFFFFFF 00008001 FFFF8001
; |movzx/sx same reg =FFFF8123 0000FFFF
;
%include "test.inc"

; UN op, bits, a, set-all-flags-first (0/1)
%macro UN 4
%defstr UN_NAME %1
%if %2 == 8
        P       UN_NAME, "8 "
        H8      %3
%elif %2 == 16
        P       UN_NAME, "16 "
        H16     %3
%else
        P       UN_NAME, "32 "
        H32     %3
%endif
        P       " f", '0' + (%4), " = "
        push    word 0x0002 | ((%4) * 0x08D5)
        popf
%if %2 == 8
        mov     cl, %3
        %1      cl
        pushf
        H8      cl
%elif %2 == 16
        mov     cx, %3
        %1      cx
        pushf
        H16     cx
%else
        mov     ecx, %3
        %1      ecx
        pushf
        H32     ecx
%endif
        FL      F_ALL
        NL
%endmacro

start:  TEST_INIT

        UN      inc, 16, 0x7FFF, 0
        UN      inc, 16, 0xFFFF, 0
        UN      inc, 16, 0xFFFF, 1
        UN      inc, 16, 0x000F, 1
        UN      inc, 8,  0x7F, 1
        UN      inc, 8,  0xFF, 0
        UN      inc, 32, 0x7FFFFFFF, 0
        UN      inc, 32, 0xFFFFFFFF, 1
        UN      dec, 16, 0x8000, 0
        UN      dec, 16, 0x0000, 0
        UN      dec, 16, 0x0001, 1
        UN      dec, 16, 0x0010, 1
        UN      dec, 8,  0x80, 1
        UN      dec, 8,  0x00, 1
        UN      dec, 32, 0x80000000, 1
        UN      dec, 32, 0x00000001, 0
        UN      neg, 16, 0x0000, 1
        UN      neg, 16, 0x0001, 0
        UN      neg, 16, 0x8000, 0
        UN      neg, 16, 0x7FFF, 1
        UN      neg, 8,  0x80, 0
        UN      neg, 8,  0x10, 0
        UN      neg, 32, 0x80000000, 0
        UN      neg, 32, 0x00000000, 1
        UN      not, 16, 0x0000, 0
        UN      not, 16, 0x5A5A, 1
        UN      not, 8,  0xF0, 0
        UN      not, 32, 0x12345678, 1

; The one-byte 40-4F forms on every register (nasm picks them for 16/32-bit registers).
        mov     eax, 0x1000FFFF         ; 16-bit INC wraps inside the low half
        mov     ebx, 0x2000FFFF
        mov     ecx, 0x3000FFFF
        mov     edx, 0x4000FFFF
        mov     esi, 0x5000FFFF
        mov     edi, 0x6000FFFF
        mov     ebp, 0x7000FFFF
        inc     ax
        inc     bx
        inc     cx
        inc     dx
        inc     si
        inc     di
        inc     bp
        dec     eax
        dec     ebx
        dec     ecx
        dec     edx
        dec     esi
        dec     edi
        dec     ebp
        P       "40-4F ="
        H32     eax
        H32     ebx
        H32     ecx
        H32     edx
        P       " "
        H32     esi
        H32     edi
        H32     ebp
        NL
        mov     sp, 0x7000
        inc     sp
        dec     esp                     ; 66 4C
        dec     sp
        inc     esp
        cmp     esp, 0x7000             ; the upper half of ESP stays 0
        pushf
        P       "inc/dec sp"
        FL      F_ZF
        NL

; Memory forms. FE /0 /1 byte, FF /0 /1 word and dword, F6/F7 /2 /3.
        mov     dword [DATA], 0x000000FF
        stc
        inc     byte [DATA]
        RES32   "inc m8", [DATA], F_ALL
        clc
        dec     word [DATA]
        RES32   "dec m16", [DATA], F_ALL
        inc     dword [DATA]
        RES32   "inc m32", [DATA], F_ALL
        neg     word [DATA+1]
        RES32   "neg m16", [DATA], F_ALL
        push    word 0x0893
        popf
        not     byte [DATA+3]
        RES32   "not m8", [DATA], F_ALL
        neg     dword [DATA]
        RES32   "neg m32", [DATA], F_ALL

; Sign extension in the accumulator.
        mov     eax, 0x12345680
        cbw
        VAL32   "cbw eax", eax
        mov     eax, 0xFFFF007F
        cbw
        VAL32   "cbw eax", eax
        mov     eax, 0x12348000
        cwde
        VAL32   "cwde eax", eax
        mov     eax, 0x80007FFF
        cwde
        VAL32   "cwde eax", eax
        mov     edx, 0x11112222
        mov     ax, 0x8000
        cwd
        VAL32   "cwd edx", edx
        mov     ax, 0x7FFF
        cwd
        VAL32   "cwd edx", edx
        mov     eax, 0x80000000
        cdq
        VAL32   "cdq edx", edx
        mov     eax, 0x7FFFFFFF
        cdq
        VAL32   "cdq edx", edx
        push    word 0x08D7
        popf
        cbw
        cwde
        cwd
        cdq
        pushf
        P       "sign-extension flags"  ; none affected
        FL      0xFFFF
        NL
        push    word 0x0002
        popf

; MOVZX / MOVSX, register and memory sources, 16- and 32-bit destinations.
        mov     dword [DATA+8], 0x8001FF7F
        mov     ebx, 0xFFFFFFFF
        mov     ecx, 0xFFFFFFFF
        mov     al, 0x80
        movzx   bx, al                  ; 0F B6, 16-bit destination
        movsx   cx, al                  ; 0F BE
        P       "movzx/sx r16,r8 ="
        H32     ebx
        P       " "
        H32     ecx
        NL
        mov     ah, 0x7F
        movzx   ebx, ah
        movsx   ecx, ah
        P       "movzx/sx r32,ah ="
        H32     ebx
        P       " "
        H32     ecx
        NL
        movzx   ebx, byte [DATA+9]
        movsx   ecx, byte [DATA+9]
        movzx   edx, word [DATA+10]
        movsx   esi, word [DATA+10]
        P       "movzx/sx mem ="
        H32     ebx
        P       " "
        H32     ecx
        P       " "
        H32     edx
        P       " "
        H32     esi
        NL
        mov     ax, 0x8123
        movsx   eax, ax                 ; source and destination the same register
        mov     dx, 0xFFFF
        movzx   edx, dx
        P       "movzx/sx same reg ="
        H32     eax
        P       " "
        H32     edx
        NL

        TEST_PASS
        ROM_END
