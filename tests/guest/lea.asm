; lea.asm - effective-address arithmetic through LEA: every 16-bit ModRM form (the
; eight bases, no/disp8/disp16, disp8 sign-extended, results wrapping at 16 bits) and
; 32-bit forms (67h: every base, SIB with scales 1/2/4/8, no base + disp32, EBP/ESP
; bases, no index), combined with 66h (a 16-bit address zero-extended into a 32-bit
; register; a 32-bit address truncated into a 16-bit one); then loads through some of
; the 32-bit forms (addresses within 64 KiB).
;
; expect-exit: 1
; expect-output:
; |bx+si=FF00 bx+di=F0F0 bp+si=8F0F bp+di=80FF 
; |si=0F00 di=00F0 d16=BEEF bx=F000 
; |bx+si+7F=FF7F bx+di-80=F070 bp+si+1=8F10 bp+di-1=80FE 
; |si-2=0EFE di+10=0100 bp+0=800F bx-7F=EF81 
; |bx+si+1234=1134 bx+di+8000=70F0 bp+si+FFFF=8F0E bp+di+7FFF=00FE 
; |si+F000=FF00 di+1000=10F0 bp+4321=C330 bx+8001=7001 
; |66 lea: 00001134 000080FF
; |eax=00001000 ecx=03000000 edx=40000000 ebx=00200000 
; |esp=00007000 ebp+0=00007000 esi=00000050 edi=00000600 
; |d32=89ABCDEF ebp-1=00006FFF esp+7F=0000707F eax+12345678=12346678 
; |eax+ebx=00201000 ecx+esi*2=030000A0 edx+edi*4=40001800 ebx+ebp*8=00238000 
; |esp+eax*1+10=00008010 ebp+ecx*2-10=06006FF0 esi*8+d32=00000380 edi*4+0=00001800 
; |edx*2=80000000 ebp+ebp=0000E000 esp+ebp*4+1000=00024000 eax*8-8=00007FF8 
; |edx+edx*8=40000000 ecx*4+ecx=0F000000 wrap=FFFFFFFF ebx*1 sib=00200000 
; |67 lea: 9765 5678
; |loads: A003 A006 A014 12A0
;
%include "test.inc"

%macro R16 0
        mov     ebx, 0x1111F000
        mov     esi, 0x22220F00
        mov     edi, 0x333300F0
        mov     ebp, 0x4444800F
%endmacro
%macro R32 0
        mov     eax, 0x00001000
        mov     ebx, 0x00200000
        mov     ecx, 0x03000000
        mov     edx, 0x40000000
        mov     esi, 0x00000050
        mov     edi, 0x00000600
        mov     ebp, 0x00007000
%endmacro
; L16 "label", addr-expression : lea dx, [...] and print DX
%macro L16 2
        lea     dx, %2
        P       %1, "="
        H16     dx
        P       " "
%endmacro
SAVE    equ DATA + 0x200
%macro L32 2                            ; EDX is the destination but is kept as an input
        mov     [SAVE], edx
        lea     edx, %2
        P       %1, "="
        H32     edx
        P       " "
        mov     edx, [SAVE]
%endmacro

start:  TEST_INIT

        R16
        L16     "bx+si", [bx+si]
        L16     "bx+di", [bx+di]
        L16     "bp+si", [bp+si]
        L16     "bp+di", [bp+di]
        NL
        L16     "si", [si]
        L16     "di", [di]
        L16     "d16", [0xBEEF]
        L16     "bx", [bx]
        NL
        L16     "bx+si+7F", [bx+si+0x7F]
        L16     "bx+di-80", [bx+di-0x80]
        L16     "bp+si+1", [bp+si+1]
        L16     "bp+di-1", [bp+di-1]
        NL
        L16     "si-2", [si-2]
        L16     "di+10", [di+0x10]
        L16     "bp+0", [bp+0]
        L16     "bx-7F", [bx-0x7F]
        NL
        L16     "bx+si+1234", [bx+si+0x1234]
        L16     "bx+di+8000", [bx+di+0x8000]
        L16     "bp+si+FFFF", [word bp+si+0xFFFF]
        L16     "bp+di+7FFF", [bp+di+0x7FFF]
        NL
        L16     "si+F000", [si+0xF000]
        L16     "di+1000", [di+0x1000]
        L16     "bp+4321", [bp+0x4321]
        L16     "bx+8001", [bx+0x8001]
        NL
        lea     eax, [bx+si+0x1234]     ; 66 8D, 16-bit address: zero-extended
        lea     ecx, [bp+di]
        P       "66 lea: "
        H32     eax
        P       " "
        H32     ecx
        NL

        R32
        L32     "eax", [eax]
        L32     "ecx", [ecx]
        L32     "edx", [edx]
        L32     "ebx", [ebx]
        NL
        L32     "esp", [esp]
        L32     "ebp+0", [ebp+0]
        L32     "esi", [esi]
        L32     "edi", [edi]
        NL
        L32     "d32", [dword 0x89ABCDEF]
        L32     "ebp-1", [ebp-1]
        L32     "esp+7F", [esp+0x7F]
        L32     "eax+12345678", [eax+0x12345678]
        NL
        L32     "eax+ebx", [eax+ebx]
        L32     "ecx+esi*2", [ecx+esi*2]
        L32     "edx+edi*4", [edx+edi*4]
        L32     "ebx+ebp*8", [ebx+ebp*8]
        NL
        L32     "esp+eax*1+10", [esp+eax*1+0x10]
        L32     "ebp+ecx*2-10", [ebp+ecx*2-0x10]
        L32     "esi*8+d32", [esi*8+0x100]
        L32     "edi*4+0", [nosplit edi*4+0]
        NL
        L32     "edx*2", [nosplit edx*2]
        L32     "ebp+ebp", [ebp+ebp]
        L32     "esp+ebp*4+1000", [esp+ebp*4+0x1000]
        L32     "eax*8-8", [eax*8-8]
        NL
        L32     "edx+edx*8", [edx+edx*8]
        L32     "ecx*4+ecx", [ecx+ecx*4]
        L32     "wrap", [edx*4+0xFFFFFFFF]
        L32     "ebx*1 sib", [ebx*1+0]
        NL
        lea     ax, [eax+ebx*4+0x8765]  ; 67 8D, 16-bit destination: truncated
        lea     cx, [edx*8+0x12345678]
        P       "67 lea: "
        H16     ax
        P       " "
        H16     cx
        NL

; Loads through 32-bit forms. Words at DATA+2k hold 0xA000+k.
        mov     bx, 0
.fill:  mov     ax, bx
        add     ax, 0xA000
        mov     si, bx
        add     si, si
        mov     [DATA+si], ax
        inc     bx
        cmp     bx, 0x80
        jne     .fill
        mov     eax, 3
        mov     ecx, DATA
        mov     ebp, DATA + 0x10
        mov     esp, DATA + 0x20        ; (no pushes until restored)
        mov     dx, [ecx+eax*2]         ; k=3
        mov     bx, [eax*4+DATA]        ; k=6
        mov     si, [ebp+eax*8]         ; k=8+12=20, SS: = 0 too
        mov     di, [esp+eax]           ; byte offset 0x23: odd, k=0x11 high byte + k=0x12 low
        mov     esp, 0x7000
        P       "loads: "
        H16     dx
        P       " "
        H16     bx
        P       " "
        H16     si
        P       " "
        H16     di
        NL

        TEST_PASS
        ROM_END
