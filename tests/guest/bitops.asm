; bitops.asm - BT BTS BTR BTC (register and immediate bit offsets; register
; destinations, where the offset is taken mod 16/32; memory bit strings, where a register
; offset is a signed bit index that may reach far outside the addressed word, in both
; directions, while an immediate offset is taken mod 16/32), BSF BSR (16/32, register
; and memory, zero source), BSWAP on every register.
;
; BTx: CF is the old bit, ZF is unaffected (shown, from flags in z0/z1), OF SF AF PF are
; undefined (masked). BSF/BSR: only ZF is defined, and the destination is undefined when
; the source is 0 (so it is not shown then). BSWAP: no flags.
; The bit string lives at 0700-09FF with byte i = (i & FF) xor 5A; its base is 0800.
;
; expect-exit: 1
; expect-output:
; |bt16 r,r off=0001 = 8002 fl=0001
; |bt16 r,r off=0011 = 8002 fl=0041
; |bt16 r,r off=FFFF = 8002 fl=0001
; |bts16 r,r off=0024 = 0010 fl=0040
; |btr16 r,r off=000F = 7FFF fl=0001
; |btc16 r,r off=0104 = 00E0 fl=0001
; |bt32 r,r off=0000003F = 80000000 fl=0041
; |bts32 r,r off=FFFFFFE0 = 00000001 fl=0000
; |btr32 r,r off=00000010 = FFFEFFFF fl=0041
; |btc32 r,r off=00000023 = 12345670 fl=0001
; |bts r16,imm 20 edx=0000FFFF fl=0041
; |btc r32,imm 67 edx=0000FFF7 fl=0001
; |btr r32,imm 31 edx=0000FFF7 fl=0000
; |bt r32,imm 0 edx=0000FFF7 fl=0001
; |bt16 m,r off=0001 = 5B5A fl=0001
; |bt16 m,r off=0064 = 5756 fl=0041
; |bt16 m,r off=07FF = A5A4 fl=0001
; |bt16 m,r off=FFFF = A5A4 fl=0001
; |bt16 m,r off=F800 = 5B5A fl=0040
; |bts16 m,r off=0010 = 5959 fl=0000
; |bts16 m,r off=FFEF = A7A6 fl=0001
; |btr16 m,r off=0039 = 5D5C fl=0040
; |btr16 m,r off=FC05 = DBDA fl=0000
; |btc16 m,r off=0100 = 7B7B fl=0000
; |btc16 m,r off=FF00 = BBBB fl=0040
; |bt32 m,r off=00000400 = D9D8DBDA fl=0000
; |bt32 m,r off=000007FF = A5A4A7A6 fl=0041
; |bt32 m,r off=FFFFFD00 = F9F8FBFA fl=0000
; |bts32 m,r off=00000020 = 5D5C5F5F fl=0000
; |bts32 m,r off=FFFFF800 = 59585B5B fl=0040
; |btr32 m,r off=000000A3 = 4D4C4F46 fl=0001
; |btc32 m,r off=FFFFFFE1 = A5A4A7A4 fl=0001
; |bt m16,imm 17 word=5F5F fl=0001
; |bts m16,imm 43 word=5F5F fl=0001
; |btc m32,imm 3F dword=D1505352 fl=0000
; |btr m32,imm 25 dword=D1505352 fl=0000
; |bts [bx+si],-1 word=D554 fl=0000
; |bsf16 0800 cx=000B fl=0000
; |bsr16 0800 cx=000B fl=0000
; |bsf32 80000001 ecx=00000000 fl=0000
; |bsr32 80000001 ecx=0000001F fl=0000
; |bsf32 m 00100000 edx=00000014 fl=0000
; |bsr16 m 0010 dx=0004 fl=0000
; |bsr32 FFFFFFFF ebx=0000001F fl=0000
; |bsf32 0 fl=0040
; |bsr16 m 0 fl=0040
; |bswap =4433221188776655CCBBAA9900FFEEDD 67452301EFCDAB8910325476
; |bswap esp twice=12347000
;
%include "test.inc"

STR_LO  equ 0x0700
BASE    equ 0x0800

; BTREG op, bits, value, offset, zf-in  (register destination, offset in a register)
%macro BTREG 5
%defstr BT_NAME %1
        P       BT_NAME
        push    word 0x0002 | ((%5) * F_ZF)
        popf
%if %2 == 16
        mov     ax, %3
        mov     cx, %4
        %1      ax, cx
        pushf
        P       "16 r,r off="
        H16     cx
        P       " = "
        H16     ax
%else
        mov     eax, %3
        mov     ecx, %4
        %1      eax, ecx
        pushf
        P       "32 r,r off="
        H32     ecx
        P       " = "
        H32     eax
%endif
        FL      F_CF | F_ZF
        NL
%endmacro

; BTMEM op, bits, offset, zf-in  (memory bit string at BASE, offset in a register);
; shows CF and the word/dword that holds the bit afterwards.
%macro BTMEM 4
%defstr BT_NAME %1
        P       BT_NAME
        push    word 0x0002 | ((%4) * F_ZF)
        popf
%if %2 == 16
        mov     cx, %3
        %1      [BASE], cx
        pushf
        P       "16 m,r off="
        H16     cx
        P       " = "
        H16     [BASE + 2 * (((((%3) ^ 0x8000) - 0x8000)) >>> 4)]
%else
        mov     ecx, %3
        %1      [BASE], ecx
        pushf
        P       "32 m,r off="
        H32     ecx
        P       " = "
        H32     [BASE + 4 * (((((%3) ^ 0x80000000) - 0x80000000)) >>> 5)]
%endif
        FL      F_CF | F_ZF
        NL
%endmacro

start:  TEST_INIT
        mov     bx, STR_LO
.fill:  mov     al, bl
        xor     al, 0x5A
        mov     [bx], al
        add     bx, 1
        cmp     bx, 0x0A00
        jne     .fill

        BTREG   bt,  16, 0x8002, 1, 0
        BTREG   bt,  16, 0x8002, 17, 1
        BTREG   bt,  16, 0x8002, 0xFFFF, 0
        BTREG   bts, 16, 0x0000, 0x0024, 1
        BTREG   btr, 16, 0xFFFF, 0x000F, 0
        BTREG   btc, 16, 0x00F0, 0x0104, 0
        BTREG   bt,  32, 0x80000000, 0x0000003F, 1
        BTREG   bts, 32, 0x00000000, 0xFFFFFFE0, 0
        BTREG   btr, 32, 0xFFFFFFFF, 0x00000010, 1
        BTREG   btc, 32, 0x12345678, 0x00000023, 0

        mov     edx, 0x0000FFFF
        push    word F_ZF | 2
        popf
        bts     dx, 20                  ; 0F BA /5 ib: imm mod 16 -> bit 4
        RES32   "bts r16,imm 20 edx", edx, F_CF | F_ZF
        btc     edx, 67                 ; 0F BA /7 ib: mod 32 -> bit 3
        RES32   "btc r32,imm 67 edx", edx, F_CF | F_ZF
        btr     edx, 31                 ; 0F BA /6 ib
        RES32   "btr r32,imm 31 edx", edx, F_CF | F_ZF
        bt      edx, 0                  ; 0F BA /4 ib
        RES32   "bt r32,imm 0 edx", edx, F_CF | F_ZF

; Memory bit strings. Byte at BASE+k is (k xor 5A) for k in 00-FF, and for negative k
; it is ((100+k) xor 5A).
        BTMEM   bt,  16, 0x0001, 0
        BTMEM   bt,  16, 0x0064, 1
        BTMEM   bt,  16, 0x07FF, 0
        BTMEM   bt,  16, 0xFFFF, 0
        BTMEM   bt,  16, 0xF800, 1
        BTMEM   bts, 16, 0x0010, 0
        BTMEM   bts, 16, 0xFFEF, 0
        BTMEM   btr, 16, 0x0039, 1
        BTMEM   btr, 16, 0xFC05, 0
        BTMEM   btc, 16, 0x0100, 0
        BTMEM   btc, 16, 0xFF00, 1
        BTMEM   bt,  32, 0x00000400, 0
        BTMEM   bt,  32, 0x000007FF, 1
        BTMEM   bt,  32, 0xFFFFFD00, 0
        BTMEM   bts, 32, 0x00000020, 0
        BTMEM   bts, 32, 0xFFFFF800, 1
        BTMEM   btr, 32, 0x000000A3, 0
        BTMEM   btc, 32, 0xFFFFFFE1, 0

; Immediate offsets on memory are taken mod the operand size (the address never moves).
        clc
        bt      word [BASE+4], 17       ; bit 1 of the word at BASE+4
        RES16   "bt m16,imm 17 word", [BASE+4], F_CF
        bts     word [BASE+4], 0x43     ; bit 3
        RES16   "bts m16,imm 43 word", [BASE+4], F_CF
        btc     dword [BASE+8], 0x3F    ; bit 31
        RES32   "btc m32,imm 3F dword", [BASE+8], F_CF
        btr     dword [BASE+8], 0x25    ; bit 5
        RES32   "btr m32,imm 25 dword", [BASE+8], F_CF
; Register offset with an indexed base: offset -1 from [bx+si] = bit 15 of the word below.
        mov     bx, BASE
        mov     si, 0x0010
        mov     ax, 0xFFFF
        bts     [bx+si], ax
        RES16   "bts [bx+si],-1 word", [BASE+0x0E], F_CF

        push    word 2
        popf
        mov     ax, 0x0800
        bsf     cx, ax
        RES16   "bsf16 0800 cx", cx, F_ZF
        bsr     cx, ax
        RES16   "bsr16 0800 cx", cx, F_ZF
        mov     eax, 0x80000001
        bsf     ecx, eax
        RES32   "bsf32 80000001 ecx", ecx, F_ZF
        bsr     ecx, eax
        RES32   "bsr32 80000001 ecx", ecx, F_ZF
        mov     dword [DATA], 0x00100000
        bsf     edx, [DATA]
        RES32   "bsf32 m 00100000 edx", edx, F_ZF
        bsr     dx, [DATA+2]
        RES16   "bsr16 m 0010 dx", dx, F_ZF
        mov     eax, 0xFFFFFFFF
        bsr     ebx, eax
        RES32   "bsr32 FFFFFFFF ebx", ebx, F_ZF
        xor     eax, eax
        bsf     ecx, eax
        pushf
        P       "bsf32 0"
        FL      F_ZF
        NL
        mov     word [DATA], 0
        bsr     cx, [DATA]
        pushf
        P       "bsr16 m 0"
        FL      F_ZF
        NL

        mov     eax, 0x11223344
        mov     ebx, 0x55667788
        mov     ecx, 0x99AABBCC
        mov     edx, 0xDDEEFF00
        mov     esi, 0x01234567
        mov     edi, 0x89ABCDEF
        mov     ebp, 0x76543210
        bswap   eax
        bswap   ebx
        bswap   ecx
        bswap   edx
        bswap   esi
        bswap   edi
        bswap   ebp
        P       "bswap ="
        H32     eax
        H32     ebx
        H32     ecx
        H32     edx
        P       " "
        H32     esi
        H32     edi
        H32     ebp
        NL
        mov     esp, 0x12347000
        bswap   esp
        bswap   esp
        mov     ebx, esp
        mov     esp, 0x7000
        VAL32   "bswap esp twice", ebx

        TEST_PASS
        ROM_END
