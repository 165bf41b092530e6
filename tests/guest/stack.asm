; stack.asm - PUSH/POP (50-5F, FF /6 and 8F /0 memory, 6A/68 immediates, segment
; registers incl. FS/GS, 66h dword forms), PUSH SP (pushes the value before the push,
; 286+), POP SP, POP to an ESP-based memory operand (address computed after the pop),
; PUSHA/POPA and PUSHAD/POPAD (the stored SP/ESP is the original one; POPA skips it),
; ENTER with nesting levels 0, 1 and 3 (16-bit) and 2 (32-bit operand size), LEAVE,
; and the SP wraparound from 0000 to FFFE.
;
; expect-exit: 1
; expect-output:
; |push regs: 0002 3333 CDEF 89AB 1234 FFFE 0006 0005 0004 0003 0002 0001 0000
; |  sp=6FE6
; |pop: 33330002 89ABCDEF 1234 FFFE
; |push/pop mem: CCCCBBBBAAAA
; |push sregs: 0000 F000 ABC0 7890 4560 1230
; |pop sregs: ABC0 7890 4560 1230
; |o32 push ds: sp=6FFC
; |  low word=5A5A
; |o32 pop es: sp=7000
; |  es=5A5A
; |push sp: pushed-sp=7000
; |pop sp: sp=6F00
; |pop [esp]: sp=6FFE [STK-2]=5252
; |push [esp-2]: 6262 6161
; |pusha: 0007 0006 0005 7000 0004 0003 0002 0001
; |popa: ax=A0A09999 sp=00007000 di=D1D10007
; |pushad: 0007 D1D1 0006 5151 0005 B1B1 7000 0000 0004 B0B0 0003 D0D0 0002 C0C0 9999 A0A0
; |popad: edi=0000BEEF esp=00007000 eax=A0A09999
; |enter 4,0: bp=6FFE sp=6FFA [bp]=BBB0
; |leave: bp=BBB0 sp=7000
; |enter 2,1: bp=6FFE sp=6FFA: [bp-2] [bp]:6FFE 6F80
; |enter 6,3: bp=6FFE sp=6FF2: [bp-6]..[bp]:6FFE 0A02 0A01 6F80
; |leave: bp=6F80 sp=7000
; |o32 enter 8,2: ebp=00006FFC esp=00006FEC: [bp-8] [bp-4] [bp]:00006FFC 0B0B0B01 12346F80
; |o32 leave: ebp=12346F80 sp=7000
; |sp wrap: after push FFFE, popped 7E57, after pop 0000, mem 7E57
;
%include "test.inc"

STK     equ 0x7000

; DUMP n : print the n words at SS:SP upwards (without changing anything)
%macro DUMP 1
        mov     si, sp
%assign k 0
%rep %1
        P       " "
        H16     [ss:si + 2*k]
%assign k k+1
%endrep
        NL
%endmacro

start:  TEST_INIT

        mov     eax, 0x11110000
        mov     ecx, 0x22220001
        mov     edx, 0x33330002
        mov     ebx, 0x44440003
        mov     ebp, 0x55550004
        mov     esi, 0x66660005
        mov     edi, 0x77770006
        push    ax
        push    cx
        push    dx
        push    bx
        push    bp
        push    si
        push    di
        push    byte -2                 ; 6A: sign-extended to FFFE
        push    word 0x1234             ; 68
        push    dword 0x89ABCDEF        ; 66 68
        push    edx                     ; 66 52
        P       "push regs:"
        DUMP    13
        VAL16   "  sp", sp
        pop     eax                     ; 66 58: 33330002
        pop     ebx                     ; 89ABCDEF
        pop     cx
        pop     dx
        add     sp, 14
        P       "pop: "
        H32     eax
        P       " "
        H32     ebx
        P       " "
        H16     cx
        P       " "
        H16     dx
        NL

        mov     word [DATA], 0xAAAA
        mov     dword [DATA+4], 0xBBBBCCCC
        push    word [DATA]             ; FF /6
        push    dword [DATA+4]          ; 66 FF /6
        pop     word [DATA+8]           ; 8F /0
        pop     word [DATA+10]
        pop     word [DATA+12]
        P       "push/pop mem: "
        H16     [DATA+8]
        H16     [DATA+10]
        H16     [DATA+12]
        NL

        mov     ax, 0x1230
        mov     ds, ax
        mov     ax, 0x4560
        mov     es, ax
        mov     ax, 0x7890
        mov     fs, ax
        mov     ax, 0xABC0
        mov     gs, ax
        push    ds
        push    es
        push    fs                      ; 0F A0
        push    gs                      ; 0F A8
        push    cs
        push    ss
        P       "push sregs:"
        DUMP    6
        pop     ax                      ; SS
        pop     ax                      ; CS
        pop     ds                      ; 1F: gets GS's value
        pop     es                      ; 07: FS's
        pop     fs                      ; 0F A1: ES's
        pop     gs                      ; 0F A9: DS's
        P       "pop sregs: "
        H16     ds
        P       " "
        H16     es
        P       " "
        H16     fs
        P       " "
        H16     gs
        NL
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ax, 0x5A5A
        mov     ds, ax
        o32 push ds                     ; 66 1E: a dword slot; only its low word is defined
        xor     ax, ax
        mov     ds, ax
        VAL16   "o32 push ds: sp", sp
        mov     di, sp
        VAL16   "  low word", [ss:di]
        o32 pop es
        VAL16   "o32 pop es: sp", sp
        VAL16   "  es", es
        xor     ax, ax
        mov     es, ax

; PUSH SP pushes the old SP; POP SP loads the popped value.
        push    sp
        mov     bx, sp
        VAL16   "push sp: pushed-sp", [ss:bx]
        pop     ax
        mov     word [STK-2], 0x6F00
        sub     sp, 2
        pop     sp
        mov     ax, sp
        mov     sp, STK
        VAL16   "pop sp: sp", ax
; With ESP as the base of a POP's destination, the address uses ESP after the pop.
        push    word 0x5151
        push    word 0x5252
        mov     esp, STK - 4
        pop     word [esp]              ; 67 8F /0: writes 5252 over the 5151 at STK-2
        P       "pop [esp]: sp="
        H16     sp
        P       " [STK-2]="
        H16     [STK-2]
        NL
        mov     sp, STK
        push    word 0x6161
        mov     word [STK-4], 0x6262
        push    word [esp-2]            ; 67 FF /6: address uses ESP before the push
        P       "push [esp-2]:"
        DUMP    2
        mov     sp, STK

; PUSHA / POPA
        mov     eax, 0xA0A00001
        mov     ecx, 0xC0C00002
        mov     edx, 0xD0D00003
        mov     ebx, 0xB0B00004
        mov     ebp, 0xB1B10005
        mov     esi, 0x51510006
        mov     edi, 0xD1D10007
        pusha
        P       "pusha:"
        DUMP    8
        mov     bp, sp
        mov     word [ss:bp+6], 0x1111  ; the stored SP: POPA must ignore it
        mov     word [ss:bp+14], 0x9999 ; stored AX
        popa
        P       "popa: ax="
        H32     eax
        P       " sp="
        H32     esp
        P       " di="
        H32     edi
        NL
        pushad
        P       "pushad:"
        DUMP    16
        mov     bp, sp
        mov     dword [ss:bp+12], 0x12341234
        mov     dword [ss:bp], 0x0000BEEF  ; stored EDI
        popad
        P       "popad: edi="
        H32     edi
        P       " esp="
        H32     esp
        P       " eax="
        H32     eax
        NL

; ENTER size, level.
        mov     ebp, 0x0000BBB0
        enter   4, 0
        P       "enter 4,0: bp="
        H16     bp
        P       " sp="
        H16     sp
        P       " [bp]="
        H16     [ss:bp]
        NL
        leave
        P       "leave: bp="
        H16     bp
        P       " sp="
        H16     sp
        NL
        mov     bp, 0x6F80              ; an outer frame with three display entries
        mov     word [0x6F80-2], 0x0A01
        mov     word [0x6F80-4], 0x0A02
        mov     word [0x6F80-6], 0x0A03
        enter   2, 1
        P       "enter 2,1: bp="
        H16     bp
        P       " sp="
        H16     sp
        P       ": [bp-2] [bp]:"
        mov     si, bp
        H16     [ss:si-2]
        P       " "
        H16     [ss:si]
        NL
        leave
        enter   6, 3
        P       "enter 6,3: bp="
        H16     bp
        P       " sp="
        H16     sp
        P       ": [bp-6]..[bp]:"
        mov     si, bp
        H16     [ss:si-6]
        P       " "
        H16     [ss:si-4]
        P       " "
        H16     [ss:si-2]
        P       " "
        H16     [ss:si]
        NL
        leave
        P       "leave: bp="
        H16     bp
        P       " sp="
        H16     sp
        NL
        mov     ebp, 0x12346F80
        mov     dword [0x6F80-4], 0x0B0B0B01
        mov     dword [0x6F80-8], 0x0B0B0B02
        o32 enter 8, 2                  ; 66 C8: dword pushes; the frame uses BP (SS is 16-bit)
        P       "o32 enter 8,2: ebp="
        H32     ebp
        P       " esp="
        H32     esp
        P       ": [bp-8] [bp-4] [bp]:"
        mov     si, bp
        H32     [ss:si-8]
        P       " "
        H32     [ss:si-4]
        P       " "
        H32     [ss:si]
        NL
        o32 leave
        P       "o32 leave: ebp="
        H32     ebp
        P       " sp="
        H16     sp
        NL

; SP wraps: a push at SP=0000 writes at FFFE (16-bit stack, SS:FFFE).
        mov     ax, 0x0800
        mov     ss, ax
        mov     sp, 0
        push    word 0x7E57
        mov     dx, sp
        pop     cx
        mov     bx, sp
        xor     ax, ax
        mov     ss, ax
        mov     sp, STK
        P       "sp wrap: after push "
        H16     dx
        P       ", popped "
        H16     cx
        P       ", after pop "
        H16     bx
        P       ", mem "
        mov     ax, 0x0800
        mov     es, ax
        H16     [es:0xFFFE]
        xor     ax, ax
        mov     es, ax
        NL

        TEST_PASS
        ROM_END
