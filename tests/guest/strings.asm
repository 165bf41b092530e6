; strings.asm - MOVS CMPS SCAS LODS STOS in byte/word/dword sizes, with REP, REPE and
; REPNE, both directions (CLD/STD), source segment overrides (CS: DS: ES: FS: GS: SS:,
; while the destination is always ES:DI), CX=0 (nothing happens, flags unchanged),
; 67h (ECX/ESI/EDI), and overlapping copies. (INS/OUTS are in io.asm.)
; CMPS/SCAS set all six status flags as CMP does; the others change no flag.
;
; expect-exit: 1
; expect-output:
; |cs rep movsb: cx=0000 si=001A di=061A (si-alpha)
; |  4142434445464748494A4B4C4D4E4F505152535455565758595A
; |rep movsw/movsd: cx=0000 si=060E di=070E 4142434445464748494A4B4C4D4E
; |std rep movsb: cx=0000 si=0614 di=0714 00565758595A
; |overlap fwd: 41414141414147
; |overlap back: 4142414243444548
; |std movsw/movsd: cx=0000 si=05FE di=071E 0000414243444548494A
; |overrides: 4142414243
; |es dest: 5A
; |stos: 2A2A2A2A2D3D414243444B4C4D3C3C3C cx=0000 si=061A di=070C
; |lods: bx=4141 eax=48454443 si=0508
; |rep lodsb: al=42 cx=0000 si=0604 di=070C
; |repe cmpsb: cx=0004 si=0686 di=0766 fl=0091
; |repe cmpsb eq: cx=0000 si=0685 di=0765 fl=0044
; |repne cmpsb: cx=0000 si=068A di=076F fl=0000
; |cmpsw 1234-1235: fl=0095
; |cmpsd 80000000-1: fl=0814
; |repe cmpsb cx=0: cx=0000 si=1111 di=2222 fl=08D5
; |repne scasb K: cx=000F si=1111 di=060B fl=0044
; |repe scasb *: cx=0005 si=1111 di=0705 fl=0091
; |std repne scasw: cx=0008 si=1111 di=0600 fl=0044
; |scasd di=07A4 fl=0000
; |rep movsb a16: ecx=00010000 esi=12340602 edi=567807B2
; |rep movsb a32: ecx=00000000 esi=00000605 edi=000007B5 4142414243
; |a32 repe cmpsb: ecx=0000000F esi=000007C1 fl=0085
;
%include "test.inc"

SRC     equ 0x0600
DST     equ 0x0700

; SHOWMEM addr, n : print n bytes at ES:addr as hex
%macro SHOWMEM 2
%assign k 0
%rep %2
        H8      [es:(%1)+k]
%assign k k+1
%endrep
%endmacro
%macro SHOWREGS 0
        P       " cx="
        H16     cx
        P       " si="
        H16     si
        P       " di="
        H16     di
%endmacro

start:  TEST_INIT

; CS-override REP MOVSB: copy the alphabet out of the ROM.
        mov     si, alpha
        mov     di, SRC
        mov     cx, 26
        cs rep movsb
        sub     si, alpha
        P       "cs rep movsb:"
        SHOWREGS
        P       " (si-alpha)"
        NL
        P       "  "
        SHOWMEM SRC, 26
        NL
; REP MOVSW / MOVSD forward, then STD and REP MOVSB backward.
        mov     si, SRC
        mov     di, DST
        mov     cx, 3
        rep movsw
        mov     cx, 2
        rep movsd
        P       "rep movsw/movsd:"
        SHOWREGS
        P       " "
        SHOWMEM DST, 14
        NL
        std
        mov     si, SRC + 25
        mov     di, DST + 25
        mov     cx, 5
        rep movsb
        cld
        P       "std rep movsb:"
        SHOWREGS
        P       " "
        SHOWMEM DST + 20, 6
        NL
; Overlapping copies: forward by one spreads the first byte, backward shifts.
        mov     si, DST
        mov     di, DST + 1
        mov     cx, 5
        rep movsb
        P       "overlap fwd: "
        SHOWMEM DST, 7
        NL
        std
        mov     si, SRC + 4
        mov     di, SRC + 6
        mov     cx, 5
        rep movsb
        cld
        P       "overlap back: "
        SHOWMEM SRC, 8
        NL
        std
        mov     si, SRC + 8
        mov     di, DST + 0x20 + 8
        mov     cx, 3
        rep movsw                       ; backward by words: SI/DI step -2
        mov     cx, 1
        rep movsd                       ; and by dwords: -4
        cld
        P       "std movsw/movsd:"
        SHOWREGS
        P       " "
        SHOWMEM DST + 0x20, 10
        NL
; Source overrides: build a different source in each segment's view.
        mov     ax, 0x0010              ; 0010:0000 = linear 0100; use 0010:(SRC-0100)
        mov     fs, ax
        mov     ax, 0x0020
        mov     gs, ax
        mov     si, SRC - 0x100
        mov     di, DST + 0x40
        fs movsb                        ; = linear SRC
        mov     si, SRC - 0x200 + 1
        gs movsb                        ; = linear SRC+1
        mov     si, SRC + 2
        ss movsb
        mov     si, SRC + 3
        es movsb
        mov     si, SRC + 4
        ds movsb
        P       "overrides: "
        SHOWMEM DST + 0x40, 5
        NL
        mov     ax, 0x0010
        mov     es, ax                  ; destination moves with ES, not DS
        mov     si, SRC + 25
        mov     di, DST + 0x48 - 0x100
        movsb
        xor     ax, ax
        mov     es, ax
        P       "es dest: "
        SHOWMEM DST + 0x48, 1
        NL

; STOS
        mov     di, DST
        mov     al, '*'
        mov     cx, 4
        rep stosb
        mov     ax, '-='
        stosw
        mov     eax, 0x44434241
        stosd
        std
        mov     di, DST + 15
        mov     al, '<'
        mov     cx, 3
        rep stosb
        cld
        P       "stos: "
        SHOWMEM DST, 16
        SHOWREGS
        NL
; LODS (with overrides) never writes memory; REP LODS leaves the last element.
        mov     si, SRC
        lodsb
        mov     bl, al
        lodsw
        mov     bh, ah
        mov     ax, 0x0010
        mov     fs, ax
        mov     si, SRC - 0x100 + 4
        fs lodsd
        P       "lods: bx="
        H16     bx
        P       " eax="
        H32     eax
        P       " si="
        H16     si
        NL
        mov     si, SRC
        mov     cx, 4
        rep lodsb
        P       "rep lodsb: al="
        H8      al
        SHOWREGS
        NL

; CMPS: REPE stops at the first difference, REPNE at the first match.
        mov     si, str1
        mov     di, DST + 0x60
        mov     byte [DST + 0x60 + 5], 'X'
        call    copy_str2
        mov     si, SRC + 0x80
        mov     di, DST + 0x60
        mov     cx, 10
        repe cmpsb
        pushf
        P       "repe cmpsb:"
        SHOWREGS
        FL      F_ALL
        NL
        mov     si, SRC + 0x80
        mov     di, DST + 0x60
        mov     cx, 5
        repe cmpsb                      ; equal all the way: stops with CX=0, ZF=1
        pushf
        P       "repe cmpsb eq:"
        SHOWREGS
        FL      F_ALL
        NL
        mov     si, SRC + 0x80
        mov     di, DST + 0x60 + 5
        mov     cx, 10
        repne cmpsb
        pushf
        P       "repne cmpsb:"
        SHOWREGS
        FL      F_ALL
        NL
        mov     word [SRC + 0x90], 0x1234
        mov     word [DST + 0x90], 0x1235
        mov     si, SRC + 0x90
        mov     di, DST + 0x90
        cmpsw
        pushf
        P       "cmpsw 1234-1235:"
        FL      F_ALL
        NL
        mov     dword [SRC + 0x90], 0x80000000
        mov     dword [DST + 0x90], 0x00000001
        mov     si, SRC + 0x90
        mov     di, DST + 0x90
        cmpsd
        pushf
        P       "cmpsd 80000000-1:"
        FL      F_ALL
        NL
        mov     cx, 0
        push    word 0x08D7
        popf
        mov     si, 0x1111
        mov     di, 0x2222
        repe cmpsb                      ; CX=0: no iteration, flags unchanged
        pushf
        P       "repe cmpsb cx=0:"
        SHOWREGS
        FL      F_ALL
        NL

; SCAS
        mov     di, SRC
        mov     al, 'K'
        mov     cx, 26
        repne scasb
        pushf
        P       "repne scasb K:"
        SHOWREGS
        FL      F_ALL
        NL
        mov     di, DST
        mov     al, '*'
        mov     cx, 10
        repe scasb
        pushf
        P       "repe scasb *:"
        SHOWREGS
        FL      F_ALL
        NL
        std
        mov     di, SRC + 24
        mov     ax, 0x4241              ; "AB" as a word: found at the start, scanning down
        mov     cx, 20
        repne scasw
        cld
        pushf
        P       "std repne scasw:"
        SHOWREGS
        FL      F_ALL
        NL
        mov     dword [DST + 0xA0], 0x55555555
        mov     eax, 0x55555556
        mov     di, DST + 0xA0
        scasd
        RES16   "scasd di", di, F_ALL

; Without 67h only CX/SI/DI count and move, the upper halves stay; with 67h it is
; ECX/ESI/EDI.
        mov     ecx, 0x00010002
        mov     esi, 0x12340000 + SRC
        mov     edi, 0x56780000 + DST + 0xB0
        rep movsb
        P       "rep movsb a16: ecx="
        H32     ecx
        P       " esi="
        H32     esi
        P       " edi="
        H32     edi
        NL
        mov     ecx, 0x00000003
        mov     esi, SRC + 2
        mov     edi, DST + 0xB2
        a32 rep movsb
        P       "rep movsb a32: ecx="
        H32     ecx
        P       " esi="
        H32     esi
        P       " edi="
        H32     edi
        P       " "
        SHOWMEM DST + 0xB0, 5
        NL
        mov     ecx, 0x00000004
        mov     edi, DST + 0xC0
        mov     eax, 0x2E2E2E2E
        a32 rep stosd
        mov     esi, DST + 0xC0
        mov     edi, SRC
        mov     ecx, 0x10
        a32 repe cmpsb
        pushf
        P       "a32 repe cmpsb: ecx="
        H32     ecx
        P       " esi="
        H32     esi
        FL      F_ALL
        NL

        TEST_PASS

copy_str2:                              ; str1 at SRC+80, "HELLOXWORLD..." at DST+60
        push    di
        mov     si, str1
        mov     di, SRC + 0x80
        mov     cx, 12
        cs rep movsb
        pop     di
        mov     si, str1
        mov     cx, 5
        cs rep movsb
        mov     byte [di], 'X'
        inc     si
        inc     di
        mov     cx, 6
        cs rep movsb
        ret

alpha:  db      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
str1:   db      "HELLO WORLD!"

        ROM_END
