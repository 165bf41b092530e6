; smc.asm - self-modifying code. Code is copied from the ROM (read-only) to RAM at
; 1000:0000 and run there with far calls; then patched in every way a translator must
; notice (the SDM's rule for P6 and later, which QEMU and vmm86 follow: a store to code,
; even to the instruction right after the store, takes effect at once, with no jump
; needed to flush a prefetch queue as on the i486):
;   - an immediate of already-run code, through the segment:offset it runs at and
;     through another segment:offset alias of the same physical byte;
;   - the next instruction's immediate, by the instruction before it;
;   - an instruction a few instructions further down the same straight-line block;
;   - a loop body's immediate, each iteration, by the loop itself;
;   - an opcode byte (INC -> DEC), by MOV and by MOVSB;
;   - a JMP overwritten with NOPs by REP STOSB just ahead of it;
; and data stores into the same page as code do not disturb it.
;
; expect-exit: 1
; expect-output:
; |a: first run=1111
; |a: patched imm=2222
; |a: patched via alias=3333
; |b: next insn imm=42
; |b: again=42
; |e: later insn in block=77
; |c: loop 1..5 sum=000F
; |c: loop 6..10 sum=0028
; |d: inc=0101
; |d: patched to dec=00FF
; |d: movsb back to inc=0101
; |f: jmp stosb'd to nops=66
; |data stores in code page: ok
;
%include "test.inc"

RAMSEG  equ 0x1000
%define OFF(l) ((l) - chunk)

start:  TEST_INIT
        mov     si, chunk
        mov     ax, RAMSEG
        mov     es, ax
        xor     di, di
        mov     cx, chunk_len
        cs rep movsb
        mov     ax, RAMSEG
        mov     ds, ax                  ; DS = ES = the RAM code segment

        call    RAMSEG:OFF(code_a)
        VAL16   "a: first run", ax
        mov     word [OFF(code_a) + 1], 0x2222
        call    RAMSEG:OFF(code_a)
        VAL16   "a: patched imm", ax
        mov     bx, RAMSEG - 1          ; 0FFF:(x+10) is the same byte as 1000:x
        mov     es, bx
        mov     word [es:OFF(code_a) + 1 + 0x10], 0x3333
        mov     bx, RAMSEG
        mov     es, bx
        call    RAMSEG:OFF(code_a)
        VAL16   "a: patched via alias", ax

        call    RAMSEG:OFF(code_b)
        VAL8    "b: next insn imm", al
        mov     byte [OFF(code_b_ins) + 1], 0x00
        call    RAMSEG:OFF(code_b)
        VAL8    "b: again", al

        call    RAMSEG:OFF(code_e)
        VAL8    "e: later insn in block", al

        call    RAMSEG:OFF(code_c)
        VAL16   "c: loop 1..5 sum", bx
        call    RAMSEG:OFF(code_c)
        VAL16   "c: loop 6..10 sum", bx

        call    RAMSEG:OFF(code_d)
        VAL16   "d: inc", ax
        mov     byte [OFF(code_d_op)], 0x48 ; DEC AX
        call    RAMSEG:OFF(code_d)
        VAL16   "d: patched to dec", ax
        mov     si, byte_inc_ax
        mov     di, OFF(code_d_op)
        cs movsb                        ; back to INC AX by a string store
        call    RAMSEG:OFF(code_d)
        VAL16   "d: movsb back to inc", ax

        call    RAMSEG:OFF(code_f)
        VAL8    "f: jmp stosb'd to nops", al

        mov     cx, 64                  ; data stores in the code's page, then run it
        mov     di, 0x0F00
.data:  mov     [di], cx
        add     di, 2
        call    RAMSEG:OFF(code_a)
        cmp     ax, 0x3333
        jne     .bad
        loop    .data
        P       "data stores in code page: ok"
        NL
        jmp     .done
.bad:   P       "data stores in code page: code broke"
        NL
.done:  xor     ax, ax
        mov     ds, ax
        mov     es, ax
        TEST_PASS

byte_inc_ax:
        inc     ax

; --- copied to 1000:0000 --------------------------------------------------------------
chunk:
code_a: mov     ax, 0x1111              ; B8 iw
        retf
code_b: mov     byte [cs:OFF(code_b_ins) + 1], 0x42
code_b_ins:
        mov     al, 0x00                ; B0 ib
        retf
code_e: mov     byte [cs:OFF(code_e_ins) + 1], 0x77
        nop
        add     cx, 0
        nop
code_e_ins:
        mov     al, 0x00
        retf
code_c: xor     bx, bx
        mov     cx, 5
code_c_lp:
code_c_add:
        add     bx, byte 1              ; 83 C3 ib
        inc     byte [cs:OFF(code_c_add) + 2]
        loop    code_c_lp
        retf
code_d: mov     ax, 0x0100
code_d_op:
        inc     ax
        retf
code_f: push    es
        push    cs
        pop     es
        mov     di, OFF(code_f_jmp)
        mov     cx, 2
        mov     al, 0x90
        rep stosb
        pop     es
code_f_jmp:
        jmp     short .bad
        mov     al, 0x66
        retf
.bad:   mov     al, 0xBA
        retf
chunk_len equ $ - chunk

        ROM_END
