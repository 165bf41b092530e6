; Loads and stores through DS over a 32 KiB array at 20000h (clear of the stack).
%include "common.inc"
bench_body:
    mov ax, 0x2000
    mov ds, ax
    mov edx, 600
.outer:
    mov si, 0x1000
    mov cx, 8192
.inner:
    mov ax, [si]
    add ax, cx
    mov [si+2], ax
    add si, 4
    dec cx
    jnz .inner
    dec edx
    jnz .outer
    xor ax, ax
    mov ds, ax
    ret
%include "common_end.inc"
