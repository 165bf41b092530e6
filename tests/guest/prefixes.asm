; prefixes.asm - operand-size (66h) and address-size (67h) prefixes alone, together, in
; every order with a segment override and LOCK, repeated (66 66 = 66); 16-bit addressing
; with 32-bit operands and the reverse; 2E/3E as Jcc branch hints; and every NOP form:
; 90, 66 90, F3 90 (PAUSE), and 0F 1F /0 (multi-byte NOP) with 16- and 32-bit ModRM and
; SIB forms, none of which changes any register, flag or memory.
;
; expect-exit: 1
; expect-output:
; |66/67: 11223344 7788
; |prefix orders: 6 x 11223344=66CD3398
; |66 66 mov eax=CAFEF00D
; |67 67 66 mov eax,[ebx]=11223344
; |66 67 66 67 mov eax,[ebx+4]=55667788
; |lock 66 26 add=11223445
; |26 lock 67 66 add (es:ebx+4)=55667889
; |branch hints bx=0001
; |before nops: 10203040 00000600 00000002 55667788 00000010 00000020 00000030 00006FF8 fl=08D7
; |after nops : 10203040 00000600 00000002 55667788 00000010 00000020 00000030 00006FF8 fl=08D7
; |memory=11223445
;
%include "test.inc"

%macro SETREGS 0
        mov     eax, 0x10203040
        mov     ebx, DATA
        mov     ecx, 0x00000002
        mov     edx, 0x55667788
        mov     esi, 0x00000010
        mov     edi, 0x00000020
        mov     ebp, 0x00000030
%endmacro
; REGSUM "label": every GPR (ESP as it is inside the macro, after 8 bytes of pushes)
; and FLAGS
%macro REGSUM 1
        pushfd
        push    eax
        P       %1, ": "
        H32     eax
        P       " "
        H32     ebx
        P       " "
        H32     ecx
        P       " "
        H32     edx
        P       " "
        H32     esi
        P       " "
        H32     edi
        P       " "
        H32     ebp
        P       " "
        H32     esp
        pop     eax
        FL      0xFFFF
        add     sp, 2
        NL
%endmacro

start:  TEST_INIT
        mov     dword [DATA], 0x11223344
        mov     dword [DATA+4], 0x55667788
        mov     ax, 0x0050
        mov     es, ax                  ; ES:(DATA-500) = DATA

; 66 with 16-bit addressing, 67 with 16-bit operands.
        SETREGS
        mov     edx, [bx+si-0x10]       ; 66 8B 50 F0
        mov     ax, [ebx+ecx*2]         ; 67 8B 04 4B: DATA+4
        P       "66/67: "
        H32     edx
        P       " "
        H16     ax
        NL

; The same load of ES:[EBX-500] as 32 bits, with 26/66/67 in all six orders.
        SETREGS
        db      0x26, 0x66, 0x67, 0x8B, 0x83
        dd      -0x500
        mov     ecx, eax
        db      0x26, 0x67, 0x66, 0x8B, 0x83
        dd      -0x500
        add     ecx, eax
        db      0x66, 0x26, 0x67, 0x8B, 0x83
        dd      -0x500
        add     ecx, eax
        db      0x66, 0x67, 0x26, 0x8B, 0x83
        dd      -0x500
        add     ecx, eax
        db      0x67, 0x26, 0x66, 0x8B, 0x83
        dd      -0x500
        add     ecx, eax
        db      0x67, 0x66, 0x26, 0x8B, 0x83
        dd      -0x500
        add     ecx, eax
        VAL32   "prefix orders: 6 x 11223344", ecx
; Repeated prefixes count once.
        db      0x66, 0x66, 0xB8        ; mov eax, imm32
        dd      0xCAFEF00D
        VAL32   "66 66 mov eax", eax
        db      0x67, 0x67, 0x66, 0x8B, 0x03    ; mov eax, [ebx]
        VAL32   "67 67 66 mov eax,[ebx]", eax
        db      0x66, 0x67, 0x66, 0x67, 0x8B, 0x43, 0x04    ; mov eax, [ebx+4]
        VAL32   "66 67 66 67 mov eax,[ebx+4]", eax
; LOCK with other prefixes, on a lockable memory destination.
        mov     edx, 0x00000101
        db      0xF0, 0x66, 0x26, 0x01, 0x97    ; lock add [es:bx-500], edx
        dw      -0x500
        db      0x26, 0xF0, 0x67, 0x66, 0x01, 0x93      ; es lock add [ebx+4-500], edx
        dd      4 - 0x500
        VAL32   "lock 66 26 add", [DATA]
        VAL32   "26 lock 67 66 add (es:ebx+4)", [es:DATA+4-0x500]

; Branch hints 2E (not taken) and 3E (taken) on Jcc are ignored.
        xor     bx, bx
        xor     ax, ax                  ; ZF=1
        db      0x2E, 0x74, 0x03        ; jz +3 with a "not taken" hint: taken
        mov     bx, 0xBAD1
        db      0x3E, 0x75, 0x03        ; jnz +3, "taken" hint: not taken
        or      bx, 1
        cmp     ax, ax                  ; ZF=1
        db      0x3E, 0x0F, 0x84        ; jz rel16 with hint: taken
        dw      3
        mov     bx, 0xBAD2
        VAL16   "branch hints bx", bx

; NOPs: registers, flags and memory unchanged.
        SETREGS
        push    word 0x08D7
        popf
        REGSUM  "before nops"
        push    word 0x08D7
        popf
        nop                             ; 90
        db      0x66, 0x90              ; 66 90
        pause                           ; F3 90
        xchg    ax, ax
        db      0x0F, 0x1F, 0x00        ; nop [bx+si]
        db      0x0F, 0x1F, 0x40, 0x00  ; nop [bx+si+0]
        db      0x0F, 0x1F, 0x80, 0x00, 0x00    ; nop [bx+si+0000]
        db      0x0F, 0x1F, 0x06, 0x34, 0x12    ; nop [1234]
        db      0x66, 0x0F, 0x1F, 0x00  ; nop dword [bx+si]
        db      0x0F, 0x1F, 0xC0        ; nop ax (register form)
        db      0x67, 0x0F, 0x1F, 0x00  ; nop [eax]
        db      0x67, 0x0F, 0x1F, 0x40, 0x00    ; nop [eax+0]
        db      0x67, 0x0F, 0x1F, 0x44, 0x00, 0x00      ; nop [eax+eax*1+0]
        db      0x66, 0x67, 0x0F, 0x1F, 0x44, 0x00, 0x00
        db      0x67, 0x0F, 0x1F, 0x80, 0, 0, 0, 0      ; nop [eax+00000000]
        db      0x67, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0
        db      0x66, 0x67, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0
        db      0x26, 0x66, 0x67, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0
        db      0x66, 0x66, 0x26, 0x66, 0x67, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0
        REGSUM  "after nops "
        VAL32   "memory", [DATA]

        TEST_PASS
        ROM_END
