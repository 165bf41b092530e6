; segments.asm - real-mode segmentation: linear = segment*16 + offset for every
; segment register; segment override prefixes (26 2E 36 3E 64 65) on loads, stores and
; read-modify-write operands; BP/EBP/ESP-based addresses defaulting to SS; MOV to/from
; segment registers (8C/8E, register and memory, 66h); LDS LES LFS LGS LSS (16:16, and
; 16:32 with 66h); XLAT (D7) with its DS default and an override.
;
; expect-exit: 1
; expect-output:
; |aliases: 2211 2211
; |1223:0004 after 0FFF:2244 store=5C
; |overrides rmw: EFE1 D0AF
; |cs: rom byte=C5
; |ss default: 6677 7777
; |mov sreg: 1357 FFFF2468 0220
; |les/lfs/lgs: 2222:1111 4444:2222 5555:33334444
; |lss: 0000:6FF0 lds: 0000:6FF0
; |xlat=FA00
; |cs xlat=63
;
%include "test.inc"

start:  TEST_INIT

; A byte at linear 0x1234 + k reads back through several segment:offset pairs.
        mov     bx, 0x1234
        mov     byte [bx], 0x11
        mov     byte [bx+1], 0x22
        mov     ax, 0x0123
        mov     es, ax
        mov     ax, 0x0100
        mov     fs, ax
        mov     ax, 0x0120
        mov     gs, ax
        mov     ax, 0x0003
        mov     ss, ax
        mov     sp, 0x7000 - 0x30
        mov     al, [es:0x0004]         ; 0123:0004 = 1234
        mov     ah, [fs:0x0235]         ; 0100:0235 = 1235
        mov     dl, [gs:0x0034]         ; 0120:0034 = 1234
        mov     dh, [ss:0x1205]         ; 0003:1205 = 1235
        xor     cx, cx
        mov     ss, cx
        mov     sp, 0x7000
        P       "aliases: "
        H16     ax
        P       " "
        H16     dx
        NL
        mov     ax, 0x0FFF
        mov     ds, ax
        mov     al, [0x2244]            ; 0FFF:2244 = 12234: above 64K, below 1M
        mov     byte [0x2244], 0x5C
        xor     cx, cx
        mov     ds, cx
        mov     ax, 0x1223
        mov     es, ax
        VAL8    "1223:0004 after 0FFF:2244 store", [es:0x0004]
        xor     ax, ax
        mov     es, ax

; Overrides on every kind of operand.
        mov     ax, 0x0200
        mov     es, ax
        mov     ax, 0x0210
        mov     fs, ax
        mov     ax, 0x0220
        mov     gs, ax
        mov     dword [0x2000], 0x000000E0   ; ES:0000
        mov     dword [0x2100], 0x000000F0   ; FS:0000
        mov     dword [0x2200], 0x000000A0   ; GS:0000
        mov     dword [0x0000 + DATA], 0x000000D0
        xor     si, si
        add     byte [es:si], 1         ; 26
        sub     byte [fs:si], 1         ; 64
        xor     byte [gs:si], 0x0F      ; 65
        mov     al, [es:si]
        mov     ah, [fs:si]
        mov     dl, [gs:si]
        mov     dh, [ds:DATA]           ; 3E (explicit default)
        P       "overrides rmw: "
        H16     ax
        P       " "
        H16     dx
        NL
        mov     al, [cs:rom_byte]       ; 2E: data in the ROM
        VAL8    "cs: rom byte", al
        mov     bp, DATA
        mov     byte [bp+1], 0x77       ; [bp+d] defaults to SS (=0 here, like DS)
        mov     byte [DATA - 0x100 + 1], 0x66
        mov     ax, 0x0010
        mov     ss, ax
        mov     sp, 0x7000 - 0x100
        mov     bp, DATA - 0x100
        mov     al, [bp+1]              ; SS:BP: 0010:(DATA-100+1) = DATA+1
        mov     ah, [ds:bp+1]           ; DS override on BP: 0000:(DATA-100+1)
        mov     ebp, DATA - 0x100
        mov     dl, [ebp+1]             ; 67: EBP base also defaults to SS
        mov     esp, 0x7000 - 0x100
        mov     dh, [esp - 0x7000 + 0x100 + DATA + 1 - 0x100]  ; ESP base: SS too
        mov     cx, 0
        mov     ss, cx
        mov     esp, 0x7000
        P       "ss default: "
        H16     ax
        P       " "
        H16     dx
        NL
        mov     byte [DATA - 0x100 + 1], 0

; MOV to and from segment registers.
        mov     ax, 0x1357
        mov     es, ax                  ; 8E /0 register
        mov     word [DATA], 0x2468
        mov     fs, [DATA]              ; 8E memory
        mov     [DATA+2], es            ; 8C memory (writes 16 bits)
        mov     ebx, 0xFFFFFFFF
        mov     bx, fs                  ; 8C register, 16-bit: upper half stays
        mov     ecx, 0xFFFFFFFF
        mov     ecx, gs                 ; 66 8C: the upper half is implementation-dependent
        P       "mov sreg: "
        H16     [DATA+2]
        P       " "
        H32     ebx
        P       " "
        H16     cx
        NL

; LDS LES LFS LGS LSS
        mov     word [DATA], 0x1111
        mov     word [DATA+2], 0x2222
        mov     dword [DATA+4], 0x33334444
        mov     word [DATA+8], 0x5555
        xor     ax, ax
        mov     es, ax
        les     bx, [DATA]              ; C4
        mov     ax, es
        lfs     si, [DATA+2]            ; 0F B4
        mov     cx, fs
        lgs     edi, [DATA+4]           ; 66 0F B5: 16:32
        mov     dx, gs
        P       "les/lfs/lgs: "
        H16     ax
        P       ":"
        H16     bx
        P       " "
        H16     cx
        P       ":"
        H16     si
        P       " "
        H16     dx
        P       ":"
        H32     edi
        NL
        mov     word [DATA+12], 0x6FF0
        mov     word [DATA+14], 0x0000
        mov     ax, sp
        lss     sp, [DATA+12]           ; 0F B2
        mov     cx, sp
        mov     dx, ss
        mov     sp, ax
        mov     ax, 0x0010
        mov     ds, ax
        lds     di, [DATA+12-0x100]     ; C5, addressed through the DS it replaces
        mov     ax, ds
        xor     bx, bx
        mov     ds, bx
        P       "lss: "
        H16     dx
        P       ":"
        H16     cx
        P       " lds: "
        H16     ax
        P       ":"
        H16     di
        NL
        xor     ax, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax

; XLAT: AL = [DS:BX + AL] (or an overridden segment; BX, not EBX, without 67h).
        mov     si, 0
.fill:  mov     ax, si
        not     al
        mov     [DATA+0x100+si], al
        inc     si
        cmp     si, 256
        jne     .fill
        mov     ebx, 0xFFFF0000 + DATA + 0x100
        mov     al, 0x05
        xlatb
        mov     ah, al
        mov     al, 0xFF
        xlatb
        VAL16   "xlat", ax
        mov     bx, xlat_rom
        mov     al, 2
        cs xlatb
        VAL8    "cs xlat", al

        TEST_PASS

rom_byte:  db   0xC5
xlat_rom:  db   "abcdef"

        ROM_END
