; mov.asm - every MOV encoding: 88/89/8A/8B (8/16/32 bits, register and memory, both
; directions, high-byte registers), C6/C7 (register and memory destinations, 16-bit and
; 32-bit addressing with SIB and displacement), B0-B7 and B8-BF (every register, 16 and
; 32 bits), A0-A3 (moffs: 16-bit offsets, 67h 32-bit offsets, segment overrides); MOV
; changes no flag. (8C/8E are in segments.asm, MOV CR0 in misc.asm.)
;
; expect-exit: 1
; expect-output:
; |b0-b7: FFFF0501 FFFF0804 FFFF0602 FFFF0703
; |b8-bb 16: FFFF1100 FFFF4400 FFFF2200 FFFF3300
; |be bf bd 16: 77777700 88888800 66666600
; |88/8a/8b/89: 55664433 4444 3344 11223344
; |mem: A1 B2C3 D4E5F607 07B2C30700D4E5F6
; |mem sib: 5A 1234 CAFEBABE
; |c6/c7 reg: 1200 0BADC0DE
; |a0/a1: 0021 6543 87654321
; |a2/a3: 3388779900665544 99 8877
; |flags after moves fl=08D7
;
%include "test.inc"

%macro SHOW8 1
        P       %1, ": "
        H32     eax
        P       " "
        H32     ebx
        P       " "
        H32     ecx
        P       " "
        H32     edx
        NL
%endmacro

start:  TEST_INIT

; B0-B7: every 8-bit register.
        mov     eax, 0xFFFFFFFF
        mov     ebx, eax
        mov     ecx, eax
        mov     edx, eax
        mov     al, 0x01
        mov     cl, 0x02
        mov     dl, 0x03
        mov     bl, 0x04
        mov     ah, 0x05
        mov     ch, 0x06
        mov     dh, 0x07
        mov     bh, 0x08
        SHOW8   "b0-b7"
; B8-BF: every 16-bit and 32-bit register (66 B8+r id).
        mov     ax, 0x1100
        mov     cx, 0x2200
        mov     dx, 0x3300
        mov     bx, 0x4400
        SHOW8   "b8-bb 16"
        mov     eax, 0x11111111
        mov     ecx, 0x22222222
        mov     edx, 0x33333333
        mov     ebx, 0x44444444
        mov     ebp, 0x66666666
        mov     esi, 0x77777777
        mov     edi, 0x88888888
        mov     si, 0x7700
        mov     di, 0x8800
        mov     bp, 0x6600
        P       "be bf bd 16: "
        H32     esi
        P       " "
        H32     edi
        P       " "
        H32     ebp
        NL

; 88/8A with high-byte registers, 89/8B register to register (both encodings).
        mov     eax, 0x11223344
        mov     ebx, 0x55667788
        mov     bh, al                  ; 88 /r
        mov     bl, ah
        db      0x8A, 0xCF              ; mov cl, bh via 8A
        db      0x88, 0xFD              ; mov ch, bh via 88: same register twice
        db      0x8B, 0xD0              ; mov dx, ax via 8B
        db      0x66, 0x89, 0xC6        ; mov esi, eax via 89
        P       "88/8a/8b/89: "
        H32     ebx
        P       " "
        H16     cx
        P       " "
        H16     dx
        P       " "
        H32     esi
        NL

; Memory through 88/89/8A/8B and C6/C7.
        mov     bx, DATA
        mov     si, 4
        mov     byte [bx], 0xA1         ; C6 /0
        mov     word [bx+2], 0xB2C3     ; C7 /0
        mov     dword [bx+si], 0xD4E5F607   ; 66 C7
        mov     al, [bx]                ; 8A
        mov     cx, [bx+2]              ; 8B
        mov     edx, [bx+si]            ; 66 8B
        mov     [bx+si+8], dl           ; 88
        mov     [bx+si+9], cx           ; 89
        mov     [bx+si+11], edx         ; 66 89 (unaligned)
        P       "mem: "
        H8      al
        P       " "
        H16     cx
        P       " "
        H32     edx
        P       " "
        H32     [DATA+12]
        H32     [DATA+16]
        NL
        mov     ebx, DATA
        mov     ecx, 2
        mov     byte [ebx+ecx*4+0x10], 0x5A         ; 67 C6 with SIB
        mov     word [ecx*8+DATA+0x20], 0x1234      ; 67 C7, no base, disp32
        mov     dword [ebx+ecx+0x1000-0x1000], 0xCAFEBABE
        P       "mem sib: "
        H8      [DATA+0x18]
        P       " "
        H16     [DATA+0x30]
        P       " "
        H32     [DATA+2]
        NL
        mov     ax, 0xFFFF
        mov     al, 0x00
        db      0xC6, 0xC4, 0x12        ; C6 /0 with a register destination: mov ah, 12
        db      0x66, 0xC7, 0xC3        ; 66 C7 /0 register: mov ebx, imm32
        dd      0x0BADC0DE
        P       "c6/c7 reg: "
        H16     ax
        P       " "
        H32     ebx
        NL

; A0-A3: accumulator and a direct offset.
        mov     dword [DATA+0x40], 0x87654321
        mov     eax, 0
        mov     al, [DATA+0x40]         ; A0
        mov     bx, ax
        mov     ax, [DATA+0x41]         ; A1
        mov     cx, ax
        mov     eax, [DATA+0x40]        ; 66 A1
        P       "a0/a1: "
        H16     bx
        P       " "
        H16     cx
        P       " "
        H32     eax
        NL
        mov     al, 0x99
        mov     [DATA+0x44], al         ; A2
        mov     ax, 0x8877
        mov     [DATA+0x45], ax         ; A3
        mov     eax, 0x66554433
        a32 mov [dword DATA+0x47], eax  ; 67 66 A3 with a 32-bit offset
        a32 mov al, [dword DATA+0x44]   ; 67 A0
        mov     bl, al
        mov     cx, 0x0050
        mov     es, cx
        es mov  ax, [DATA+0x45-0x500]   ; 26 A1
        xor     cx, cx
        mov     es, cx
        P       "a2/a3: "
        H32     [DATA+0x44]
        H32     [DATA+0x48]
        P       " "
        H8      bl
        P       " "
        H16     ax
        NL
; No MOV changes a flag.
        push    word 0x08D7
        popf
        mov     al, 1
        mov     ebx, 0
        mov     ecx, 0
        mov     [DATA], al
        mov     word [DATA], 0
        mov     dword [ebx+DATA], 0
        mov     ax, [DATA]
        mov     dx, es
        mov     es, dx
        pushf
        P       "flags after moves"
        FL      0xFFFF
        NL

        TEST_PASS
        ROM_END
