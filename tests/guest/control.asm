; control.asm - JMP (EB short, E9 near, 66 E9 rel32, EA far direct, FF /4 register and
; memory, 66 FF /4 m32, FF /5 far m16:16 and 66 FF /5 m16:32), CALL (E8, 66 E8, FF /2
; register and memory, 9A far direct, FF /3 far m16:16 and m16:32), RET (C3, C2 imm,
; 66 C3), RETF (CB, CA imm, 66 CB), LOOP LOOPE LOOPNE with CX and (67h) ECX, JCXZ and
; JECXZ. Far transfers also go to EF00:xxxx, an alias of the ROM segment with another
; base, to check that CS:IP (not the linear address) is what gets pushed and loaded.
;
; expect-exit: 1
; expect-output:
; |jmp chain bx=0000
; |jmp far EA: cs=EF00 ip-1000=label ok
; |jmp far m16:16 cs=EF00
; |jmp far m16:32 cs=F000
; |call E8: ra-label=0000
; |  sp inside=6FFE
; |  sp after=7000
; |call FF/2 reg: ra-label=0000
; |call FF/2 mem: ra-label=0000
; |call 66 E8: ra-label=00000000
; |  sp inside=6FFC
; |  sp after=7000
; |ret 4: sum=3333
; |  sp after=7000
; |call far 9A: cs=F000
; |  ip-label=0000
; |  sp after=7000
; |call far alias: ret cs=F000
; |  cs inside=EF00
; |call far m16:16: ip-label=0000
; |call far m16:32: eip-label=00000000
; |  cs=F000
; |  sp inside=6FF8
; |  sp after=7000
; |retf 2: arg=3333
; |  sp after=7000
; |loop cx: n=0002 ecx=00010000
; |loop ecx: n=00010002 ecx=00000000
; |loop cx=0: n=00010000
; |loope: n=0004 cx=0006 fl=0000
; |loopne: n=0006 cx=0004 fl=0040
; |loopne zf=1: cx=0001
; |loop flags fl=08D7
; |jcxz/jecxz bx=0011
;
%include "test.inc"

ALIAS   equ 0xEF00                      ; EF00:(x+1000) = F000:x

start:  TEST_INIT
        mov     bp, sp

; JMP forms.
        xor     bx, bx
        jmp     short .j1
        mov     bx, 0xBAD1
.j1:    jmp     near .j2
        mov     bx, 0xBAD2
        times 300 nop
.j2:    jmp     dword .j3               ; 66 E9 rel32
        mov     bx, 0xBAD3
.j3:    mov     ax, .j4
        jmp     ax                      ; FF /4 register
        mov     bx, 0xBAD4
.j4:    mov     word [DATA], .j5
        mov     si, DATA - 4
        jmp     [si+4]                  ; FF /4 memory
        mov     bx, 0xBAD5
.j5:    mov     dword [DATA], .j6
        jmp     dword [DATA]            ; 66 FF /4: EIP = m32
        mov     bx, 0xBAD6
.j6:    VAL16   "jmp chain bx", bx

        jmp     ALIAS:alias_jmp + 0x1000
.back1: P       "jmp far EA: cs="
        H16     dx
        P       " ip-1000=label "
        cmp     cx, alias_here + 0x1000
        je      .ok1
        P       "NOT "
.ok1:   P       "ok"
        NL
        mov     word [DATA], alias_jmp2 + 0x1000
        mov     word [DATA+2], ALIAS
        jmp     far [DATA]              ; FF /5 m16:16
.back2: VAL16   "jmp far m16:16 cs", dx
        mov     dword [DATA], .far32
        mov     word [DATA+4], 0xF000
        jmp     far dword [DATA]        ; 66 FF /5 m16:32
        mov     bx, 0xBAD7
.far32: mov     ax, cs
        VAL16   "jmp far m16:32 cs", ax

; CALL and RET forms. sub_near returns the pushed return address in AX and SP in DX.
        call    sub_near                ; E8
.ra1:   sub     ax, .ra1
        VAL16   "call E8: ra-label", ax
        VAL16   "  sp inside", dx
        mov     di, sp
        VAL16   "  sp after", di
        mov     bx, sub_near
        call    bx                      ; FF /2 register
.ra2:   sub     ax, .ra2
        VAL16   "call FF/2 reg: ra-label", ax
        mov     word [DATA+8], sub_near
        mov     bx, DATA
        call    [bx+8]                  ; FF /2 memory
.ra3:   sub     ax, .ra3
        VAL16   "call FF/2 mem: ra-label", ax
        call    dword sub_near32        ; 66 E8 rel32: pushes EIP as a dword
.ra4:   sub     eax, .ra4
        VAL32   "call 66 E8: ra-label", eax
        VAL16   "  sp inside", dx
        mov     di, sp
        VAL16   "  sp after", di
        push    word 0x1111
        push    word 0x2222
        call    sub_ret4                ; C2 04 00: pops the two arguments
        VAL16   "ret 4: sum", ax
        mov     di, sp
        VAL16   "  sp after", di

        call    0xF000:sub_far          ; 9A
.ra5:   VAL16   "call far 9A: cs", dx
        sub     ax, .ra5
        VAL16   "  ip-label", ax
        mov     di, sp
        VAL16   "  sp after", di
        call    ALIAS:sub_far + 0x1000  ; 9A into the alias segment: CS=EF00 inside
.ra6:   VAL16   "call far alias: ret cs", dx
        VAL16   "  cs inside", cx
        mov     word [DATA], sub_far
        mov     word [DATA+2], 0xF000
        call    far [DATA]              ; FF /3 m16:16
.ra7:   sub     ax, .ra7
        VAL16   "call far m16:16: ip-label", ax
        mov     dword [DATA], sub_far32
        mov     word [DATA+4], 0xF000
        call    far dword [DATA]        ; 66 FF /3 m16:32: pushes CS and EIP as dwords
.ra8:   sub     eax, .ra8
        VAL32   "call far m16:32: eip-label", eax
        VAL16   "  cs", dx
        VAL16   "  sp inside", bx
        mov     di, sp
        VAL16   "  sp after", di
        push    word 0x3333
        call    0xF000:sub_retf2        ; CA 02 00
        VAL16   "retf 2: arg", ax
        mov     di, sp
        VAL16   "  sp after", di

; LOOP family. LOOP does not change flags; ZF is tested by LOOPE/LOOPNE only.
        mov     ecx, 0x00010002
        xor     bx, bx
.l1:    inc     bx
        loop    .l1                     ; E2 with CX: 2 iterations, ECX upper half kept
        P       "loop cx: n="
        H16     bx
        P       " ecx="
        H32     ecx
        NL
        mov     ecx, 0x00010002
        xor     ebx, ebx
.l2:    inc     ebx
        a32 loop .l2                    ; 67 E2 with ECX: 10002 iterations
        P       "loop ecx: n="
        H32     ebx
        P       " ecx="
        H32     ecx
        NL
        xor     cx, cx
        xor     ebx, ebx
.l3:    inc     ebx
        loop    .l3                     ; CX=0 -> 65536 iterations
        VAL32   "loop cx=0: n", ebx
        mov     cx, 10
        mov     si, .vals
        xor     bx, bx
.l4:    inc     bx
        mov     al, [cs:si]
        inc     si
        cmp     al, 0x00
        loope   .l4                     ; runs while the byte is 0 and CX != 0
        pushf
        P       "loope: n="
        H16     bx
        P       " cx="
        H16     cx
        FL      F_ZF
        NL
        mov     cx, 10
        mov     si, .vals
        xor     bx, bx
.l5:    inc     bx
        mov     al, [cs:si]
        inc     si
        cmp     al, 0x07
        loopne  .l5                     ; runs until the byte is 7 or CX = 0
        pushf
        P       "loopne: n="
        H16     bx
        P       " cx="
        H16     cx
        FL      F_ZF
        NL
        mov     cx, 2
        xor     bx, bx
.l6:    inc     bx
        cmp     al, al                  ; ZF=1: LOOPNE falls through, though CX != 0
        loopne  .l6
        VAL16   "loopne zf=1: cx", cx
        push    word 0x08D7
        popf
        mov     cx, 1
        loop    $+2
        pushf
        P       "loop flags"
        FL      0xFFFF
        NL

        mov     ecx, 0x00010000
        xor     bx, bx
        jcxz    .z1                     ; CX = 0: taken
        mov     bx, 0xBAD8
.z1:    a32 jcxz .z2                    ; 67 E3 = JECXZ: ECX != 0, not taken
        or      bx, 0x0001
.z2:    xor     ecx, ecx
        jecxz   .z3
        mov     bx, 0xBAD9
.z3:    mov     cx, 1
        jcxz    .z4
        or      bx, 0x0010
.z4:    VAL16   "jcxz/jecxz bx", bx

        TEST_PASS

.vals:  db      0, 0, 0, 5, 0, 7, 0, 0, 0, 0, 0, 0

sub_near:
        mov     si, sp
        mov     ax, [ss:si]
        mov     dx, sp
        ret
sub_near32:
        mov     si, sp
        mov     eax, [ss:si]
        mov     dx, sp
        o32 ret                         ; 66 C3: pops EIP as a dword
sub_ret4:
        push    bp
        mov     bp, sp
        mov     ax, [bp+4]
        add     ax, [bp+6]
        pop     bp
        ret     4
sub_far:
        mov     si, sp
        mov     ax, [ss:si]             ; pushed IP
        mov     dx, [ss:si+2]           ; pushed CS
        mov     cx, cs
        retf
sub_far32:
        mov     si, sp
        mov     eax, [ss:si]            ; pushed EIP
        mov     dx, [ss:si+4]           ; pushed CS (low word of its dword slot)
        mov     bx, sp
        o32 retf                        ; 66 CB
sub_retf2:
        push    bp
        mov     bp, sp
        mov     ax, [bp+6]
        pop     bp
        retf    2

; Entered as EF00:(label+1000).
alias_jmp:
        mov     dx, cs
        call    alias_here              ; relative: stays in the alias segment
alias_here:
        pop     cx
        jmp     0xF000:start.back1
alias_jmp2:
        mov     dx, cs
        jmp     0xF000:start.back2

        ROM_END
