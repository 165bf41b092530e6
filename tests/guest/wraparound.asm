; wraparound.asm - 64 KiB offset arithmetic in real mode.
; Defined wrapping: 16-bit effective addresses are computed mod 64K ([bx+si], [bp+di+d],
; [si+d16] sums above FFFF wrap to the bottom of the segment, for loads and stores);
; 32-bit effective addresses (67h) are computed mod 4G, so [ebx+esi] may wrap to a small
; offset and be valid; SI/DI of 16-bit string instructions wrap FFFF -> 0000; a near
; JMP's IP wraps (rel16 from near the top of the segment to its bottom).
; Faults (386 and later, SDM "real-address mode exceptions"): an access any byte of
; which lies above the segment limit FFFF raises #GP (vector 13), or #SS (vector 12)
; for an SS-based one: a word at offset FFFF, a dword at FFFD, a 67h address of 10000
; or more, a 67h string pointer beyond FFFF. The faulting instruction has no effect
; and the pushed IP is its own.
;
; QEMU 7.2 (TCG) does not check real-mode segment limits: it performs those accesses at
; segment base + offset. The SDM lines are marked s|, QEMU's q|.
;
; expect-exit: 1
; expect-output:
; |ea16 wrap loads: 1234 5678 9ABC
; |ea16 wrap store=CAFE
; |ss:[bp+si] wrap=7777
; |ea32 wrap: 1234 5678
; |a32 byte at ffff=5A
; |movsb si wrap: si=0001 data=3C5A
; |std stosb di wrap: di=FFFE [0000]=EE [ffff]=EE
; |ip wrap: landed, marker=00AA
; s|exc 0D ip=ok
; s|  word [ffff]: ax=1111
; q|  word [ffff]: ax=A55A
; s|exc 0D ip=ok
; s|  dword [fffd]: eax=22222222
; q|  dword [fffd]: eax=A55A0000
; |dword [fffc]=5A000000
; s|exc 0D ip=ok
; s|  [ebx=10000]: ax=3333
; q|  [ebx=10000]: ax=A6A5
; s|exc 0D ip=ok
; s|  store [ebx=ffff]: byte at 10000=A5
; q|  store [ebx=ffff]: byte at 10000=44
; s|exc 0C ip=ok
; s|  [ebp=12345]: cx=5555
; q|  [ebp=12345]: cx=0000
; s|exc 0C ip=ok
; s|  [esp=17000]: dx=7777 esp=00017000
; q|  [esp=17000]: dx=0000 esp=00017000
; s|exc 0C ip=ok
; s|  [bp=ffff]: dx=6666
; q|  [bp=ffff]: dx=4444
; s|exc 0D ip=ok
; s|  a32 movsb esi=10000: esi=00010000 ecx=00000001
; q|  a32 movsb esi=10000: esi=00010001 ecx=00000001
; s|exceptions=0008
; q|exceptions=0000
;
%include "test.inc"

start:  TEST_INIT
        mov     ax, 0x1000
        mov     es, ax
        mov     byte [es:0x0000], 0xA5  ; linear 10000: what a non-wrapping access would hit
        mov     byte [es:0x0001], 0xA6
        xor     ax, ax
        mov     es, ax
        mov     byte [0xFFFF], 0x5A
        mov     word [0x0010], 0x1234
        mov     word [0x0100], 0x5678
        mov     word [0x0200], 0x9ABC

; 16-bit effective address sums wrap.
        mov     bx, 0xFFF0
        mov     si, 0x0020
        mov     ax, [bx+si]             ; (FFF0+0020) mod 64K = 0010
        mov     bp, 0xFF00
        mov     di, 0x0180
        mov     cx, [ds:bp+di+0x80]     ; (FF00+0180+80) mod 64K = 0100
        mov     si, 0xFF00
        mov     dx, [si+0x0300]         ; 0200
        P       "ea16 wrap loads: "
        H16     ax
        P       " "
        H16     cx
        P       " "
        H16     dx
        NL
        mov     bx, 0xFFFF
        mov     di, 0x0301
        mov     word [bx+di], 0xCAFE    ; store at 0300
        mov     ax, [0x0300]
        VAL16   "ea16 wrap store", ax
        mov     bp, 0x8000
        mov     si, 0x8000
        mov     ax, 0x0070
        mov     ss, ax                  ; SS base 700: SS:[bp+si] = SS:0000 = linear 700
        mov     word [0x0700], 0x7777   ; (clear of the IVT, whose #SS entry is at 30h)
        mov     ax, [bp+si]
        xor     cx, cx
        mov     ss, cx
        VAL16   "ss:[bp+si] wrap", ax

; 32-bit effective address sums wrap at 4G and are then checked against the limit.
        mov     ebx, 0xFFFFFFF0
        mov     esi, 0x00000020
        mov     ax, [ebx+esi]           ; offset 00000010
        mov     ecx, 0x80000000
        mov     dx, [ecx+ecx+0x100]     ; 2^32 + 100 -> 100
        P       "ea32 wrap: "
        H16     ax
        P       " "
        H16     dx
        NL
        mov     ebx, 0x0000FFFF
        mov     al, [ebx]               ; the last byte of the segment: fine
        VAL8    "a32 byte at ffff", al

; 16-bit string pointers wrap (in segment 0800, away from the IVT).
        mov     ax, 0x0800
        mov     ds, ax
        mov     es, ax
        mov     byte [0xFFFF], 0x5A
        mov     byte [0x0000], 0x3C
        mov     si, 0xFFFF
        mov     di, 0x0400
        mov     cx, 2
        rep movsb                       ; reads FFFF then 0000
        mov     ax, [0x0400]
        P       "movsb si wrap: si="
        H16     si
        P       " data="
        H16     ax
        NL
        std
        mov     di, 0x0000
        mov     al, 0xEE
        stosb
        stosb                           ; DI wraps 0000 -> FFFF
        cld
        P       "std stosb di wrap: di="
        H16     di
        P       " [0000]="
        H8      [0x0000]
        P       " [ffff]="
        H8      [0xFFFF]
        NL
        xor     ax, ax
        mov     ds, ax
        mov     es, ax

; IP wraps: a JMP rel16 from high up in the ROM segment to low down.
        jmp     high_code
.ipwrap:
        VAL16   "ip wrap: landed, marker", bx

; Limit faults. Each prints "exc NN ip=ok" then the register that must be unchanged.
        mov     ax, 0x1111
        EXPECT_EXC .f1, .r1
.f1:    mov     ax, [0xFFFF]            ; word at FFFF: byte 2 is at 10000
.r1:    EXPECT_DONE
        VAL16   "  word [ffff]: ax", ax
        mov     eax, 0x22222222
        EXPECT_EXC .f2, .r2
.f2:    mov     eax, [0xFFFD]           ; dword at FFFD
.r2:    EXPECT_DONE
        VAL32   "  dword [fffd]: eax", eax
        mov     eax, [0xFFFC]           ; dword at FFFC: fine
        VAL32   "dword [fffc]", eax
        mov     ebx, 0x00010000
        mov     ax, 0x3333
        EXPECT_EXC .f3, .r3
.f3:    mov     ax, [ebx]               ; 67h, offset 10000
.r3:    EXPECT_DONE
        VAL16   "  [ebx=10000]: ax", ax
        mov     ebx, 0x0000FFFF
        EXPECT_EXC .f4, .r4
.f4:    mov     word [ebx], 0x4444      ; 67h store, word at FFFF
.r4:    EXPECT_DONE
        mov     ax, 0x1000
        mov     es, ax
        VAL8    "  store [ebx=ffff]: byte at 10000", [es:0x0000]
        xor     ax, ax
        mov     es, ax
        mov     ebp, 0x00012345
        mov     cx, 0x5555
        EXPECT_EXC .f5, .r5
.f5:    mov     cx, [ebp]               ; SS-based: #SS
.r5:    EXPECT_DONE
        VAL16   "  [ebp=12345]: cx", cx
        mov     esp, 0x00017000          ; the fault's own pushes use SP (a 16-bit stack)
        mov     dx, 0x7777
        EXPECT_EXC .f6, .r6
.f6:    mov     dx, [esp]               ; #SS
.r6:    EXPECT_DONE
        mov     ebx, esp
        mov     esp, 0x7000
        P       "  [esp=17000]: dx="
        H16     dx
        P       " esp="
        H32     ebx
        NL
        mov     bp, 0xFFFF
        mov     dx, 0x6666
        EXPECT_EXC .f7, .r7
.f7:    mov     dx, [bp]                ; word at SS:FFFF: #SS
.r7:    EXPECT_DONE
        VAL16   "  [bp=ffff]: dx", dx
        mov     esi, 0x00010000
        mov     di, 0x0500
        mov     ecx, 1
        EXPECT_EXC .f8, .r8
.f8:    a32 movsb                       ; 67 A4: ESI beyond the limit
.r8:    EXPECT_DONE
        P       "  a32 movsb esi=10000: esi="
        H32     esi
        P       " ecx="
        H32     ecx
        NL
        P       "exceptions="
        H16     [EXC_COUNT]
        NL

        TEST_PASS

        times   0xE000 - ($ - $$) db 0xF4
high_code:
        mov     bx, 0x00AA
        db      0xE9                    ; jmp rel16: (E003 + rel) mod 10000 = .ipwrap
        dw      (start.ipwrap - $$ - 0xE006) & 0xFFFF  ; positive: E006 + rel > FFFF
        ROM_END
