; Byte string loops without REP (LODSB/STOSB one at a time), then REP MOVSW bulk copies.
%include "common.inc"
bench_body:
    mov ax, 0x2000        ; source and destination clear of the stack
    mov ds, ax
    mov es, ax
    mov bp, 300
.outer:
    mov si, 0x1000
    mov di, 0x9000
    mov cx, 16384
.copy:
    lodsb
    xor al, 0x5a
    stosb
    dec cx
    jnz .copy
    mov si, 0x1000
    mov di, 0x9000
    mov cx, 16384
    rep movsw
    dec bp
    jnz .outer
    xor ax, ax
    mov ds, ax
    mov es, ax
    ret
%include "common_end.inc"
