; exchange.asm - XCHG (90+r short forms, 86/87 register and memory, 8/16/32 bits),
; CMPXCHG (0F B0/B1, equal and not equal, register and memory), CMPXCHG8B (0F C7 /1,
; equal and not equal), XADD (0F C0/C1, register and memory, same register twice),
; with and without LOCK on the memory forms.
;
; CMPXCHG and XADD: all six status flags defined (as CMP and ADD). CMPXCHG8B: only ZF
; changes; CF PF AF SF OF are unaffected, shown from flags in 0893 (OF SF AF CF set).
; XCHG changes no flag (flags in 08D7 shown).
;
; expect-exit: 1
; expect-output:
; |xchg 9x =65657676 B1B1A0A0 C2C2B1B1 A0A0C2C2
; |   5454D3D3 D3D35454 76766565 fl=08D7
; |xchg 86/87 =A0A0A0A0 B1B1B1C2 C2C2B1C2 D3D3D3D3
; |   76766565 65657676 54545454
; |xchg eax,eax eax=12345678
; |xchg mem =33CC44DD ebx=1122AABB
; |cmpxchg16 eq ax=1234 bx=5678 fl=0044
; |cmpxchg16 ne ax=2000 bx=2000 fl=0085
; |cmpxchg8 ne al=7F dl=7F fl=0810
; |cmpxchg8 al,dh al=11 fl=0044
; |lock cmpxchg32 m eq eax=CAFEBABE m=0BADF00D fl=0044
; |cmpxchg32 m ne eax=0BADF00D m=0BADF00D fl=0091
; |cmpxchg8b eq edx:eax=0123456789ABCDEF m=FEDCBA9876543210 fl=08D1
; |cmpxchg8b ne edx:eax=FEDCBA9876543210 m=FEDCBA9876543210 fl=0891
; |cmpxchg8b ne-lo edx:eax=FEDCBA9876543210 fl=0000
; |xadd16 ax=8000 bx=7FFF fl=0894
; |xadd8 cl,ch cx=FF00 fl=0055
; |xadd32 eax,eax eax=80000000 fl=0884
; |lock xadd32 m edx=FFFFFFF0 m=00000010 fl=0001
; |xadd16 m di=8000 m=0000 fl=0845
;
%include "test.inc"

%macro REGS 0
        mov     eax, 0xA0A0A0A0
        mov     ebx, 0xB1B1B1B1
        mov     ecx, 0xC2C2C2C2
        mov     edx, 0xD3D3D3D3
        mov     esi, 0x54545454
        mov     edi, 0x65656565
        mov     ebp, 0x76767676
%endmacro
%macro SHOWREGS 1
        P       %1, " ="
        H32     eax
        P       " "
        H32     ebx
        P       " "
        H32     ecx
        P       " "
        H32     edx
        NL
        P       "   "
        H32     esi
        P       " "
        H32     edi
        P       " "
        H32     ebp
%endmacro

start:  TEST_INIT

        REGS
        push    word 0x08D7
        popf
        xchg    ax, bx                  ; 93
        xchg    cx, ax                  ; 91
        xchg    eax, edx                ; 66 92
        xchg    si, ax                  ; 96
        xchg    eax, edi                ; 66 97
        xchg    bp, ax                  ; 95
        pushf
        SHOWREGS "xchg 9x"
        FL      0xFFFF
        NL
        REGS
        xchg    al, ah                  ; 86 /r
        xchg    bl, ch
        xchg    dh, dl
        xchg    esi, ebp                ; 87 /r
        xchg    di, si
        SHOWREGS "xchg 86/87"
        NL
        mov     eax, 0x12345678
        xchg    ax, ax                  ; 90: NOP
        xchg    eax, eax                ; 66 90
        VAL32   "xchg eax,eax eax", eax
        mov     dword [DATA], 0x11223344
        mov     ebx, 0xAABBCCDD
        xchg    [DATA], ebx             ; 87 /r memory (implicitly locked)
        xchg    bl, [DATA+1]            ; 86 /r memory
        xchg    [DATA+2], bx
        P       "xchg mem ="
        H32     [DATA]
        P       " ebx="
        H32     ebx
        NL

; CMPXCHG dest, src: if accumulator == dest then dest = src (ZF=1) else acc = dest (ZF=0).
        mov     eax, 0xFFFF1234
        mov     bx, 0x1234
        mov     cx, 0x5678
        cmpxchg bx, cx
        pushf
        P       "cmpxchg16 eq ax="
        H16     ax
        P       " bx="
        H16     bx
        FL      F_ALL
        NL
        mov     ax, 0x1000
        mov     bx, 0x2000
        mov     cx, 0x5678
        cmpxchg bx, cx
        pushf
        P       "cmpxchg16 ne ax="
        H16     ax
        P       " bx="
        H16     bx
        FL      F_ALL
        NL
        mov     al, 0x80
        mov     dl, 0x7F
        mov     dh, 0x11
        cmpxchg dl, dh                  ; 0F B0
        pushf
        P       "cmpxchg8 ne al="
        H8      al
        P       " dl="
        H8      dl
        FL      F_ALL
        NL
        mov     al, 0x42
        cmpxchg al, dh                  ; destination is the accumulator: always equal
        RES8    "cmpxchg8 al,dh al", al, F_ALL
        mov     dword [DATA], 0xCAFEBABE
        mov     eax, 0xCAFEBABE
        mov     ecx, 0x0BADF00D
        lock cmpxchg [DATA], ecx
        pushf
        P       "lock cmpxchg32 m eq eax="
        H32     eax
        P       " m="
        H32     [DATA]
        FL      F_ALL
        NL
        mov     eax, 0x00000001
        cmpxchg [DATA], ecx
        pushf
        P       "cmpxchg32 m ne eax="
        H32     eax
        P       " m="
        H32     [DATA]
        FL      F_ALL
        NL

; CMPXCHG8B m64: if EDX:EAX == m64 then m64 = ECX:EBX (ZF=1) else EDX:EAX = m64 (ZF=0).
        mov     dword [DATA], 0x89ABCDEF
        mov     dword [DATA+4], 0x01234567
        mov     edx, 0x01234567
        mov     eax, 0x89ABCDEF
        mov     ecx, 0xFEDCBA98
        mov     ebx, 0x76543210
        push    word 0x0893
        popf
        lock cmpxchg8b [DATA]
        pushf
        P       "cmpxchg8b eq edx:eax="
        H32     edx
        H32     eax
        P       " m="
        H32     [DATA+4]
        H32     [DATA]
        FL      0x08D5
        NL
        mov     edx, 0
        mov     eax, 0
        mov     si, DATA
        push    word 0x0893
        popf
        cmpxchg8b [si]
        pushf
        P       "cmpxchg8b ne edx:eax="
        H32     edx
        H32     eax
        P       " m="
        H32     [DATA+4]
        H32     [DATA]
        FL      0x08D5
        NL
        mov     edx, 0xFEDCBA98
        mov     eax, 0x76543211         ; differs only in the low dword
        push    word 0x0002
        popf
        cmpxchg8b [si]
        pushf
        P       "cmpxchg8b ne-lo edx:eax="
        H32     edx
        H32     eax
        FL      0x08D5
        NL

; XADD dest, src: temp = dest + src; src = old dest; dest = temp.
        mov     ax, 0x7FFF
        mov     bx, 0x0001
        xadd    ax, bx
        pushf
        P       "xadd16 ax="
        H16     ax
        P       " bx="
        H16     bx
        FL      F_ALL
        NL
        mov     cl, 0xFF
        mov     ch, 0x01
        xadd    cl, ch                  ; 0F C0
        RES16   "xadd8 cl,ch cx", cx, F_ALL
        mov     eax, 0x40000000
        xadd    eax, eax                ; dest and src the same: dest (the sum) wins
        RES32   "xadd32 eax,eax eax", eax, F_ALL
        mov     dword [DATA], 0xFFFFFFF0
        mov     edx, 0x00000020
        lock xadd [DATA], edx
        pushf
        P       "lock xadd32 m edx="
        H32     edx
        P       " m="
        H32     [DATA]
        FL      F_ALL
        NL
        mov     word [DATA], 0x8000
        mov     di, 0x8000
        xadd    [DATA], di
        pushf
        P       "xadd16 m di="
        H16     di
        P       " m="
        H16     [DATA]
        FL      F_ALL
        NL

        TEST_PASS
        ROM_END
