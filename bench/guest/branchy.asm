; Data-dependent branches, calls and returns (a pseudo-random walk).
%include "common.inc"
bench_body:
    mov ecx, 4000000
    mov eax, 1
.loop:
    imul eax, eax, 1103515245
    add eax, 12345
    test eax, 0x10000
    jz .even
    call odd_step
    jmp .next
.even:
    cmp ax, 0x8000
    jb .next
    inc ebx
.next:
    dec ecx
    jnz .loop
    ret
odd_step:
    add edx, eax
    ret
%include "common_end.inc"
