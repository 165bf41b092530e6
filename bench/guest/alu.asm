; Register arithmetic: the interpreter's best case.
%include "common.inc"
bench_body:
    mov ecx, 8000000
    xor eax, eax
    mov ebx, 12345
    mov edx, 1
.loop:
    add eax, ebx
    xor ebx, eax
    sub edx, eax
    shl eax, 1
    or edx, 3
    and ebx, 0x7fffffff
    inc eax
    dec ecx
    jnz .loop
    ret
%include "common_end.inc"
