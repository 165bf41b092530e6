; The default guest until a Linux guest boots: a 64 KiB real-mode firmware image that
; prints to the debug console (port E9h), runs a short arithmetic loop, and exits through
; isa-debug-exit with status 1.
bits 16
cpu 686
org 0

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ax, cs
    mov ds, ax
    mov si, banner
    call puts
    ; Sum 1..1000 the slow way, to show the CPU doing something.
    xor eax, eax
    mov ecx, 1000
.sum:
    add eax, ecx
    loop .sum
    call print_dec
    mov si, done
    call puts
    mov al, 0
    out 0xF4, al          ; isa-debug-exit: status (0 << 1) | 1 = 1
    hlt

puts:
    lodsb
    test al, al
    jz .ret
    out 0xE9, al
    jmp puts
.ret:
    ret

print_dec:                ; prints EAX in decimal
    mov ebx, 10
    xor cx, cx
.div:
    xor edx, edx
    div ebx
    push dx
    inc cx
    test eax, eax
    jnz .div
.out:
    pop ax
    add al, '0'
    out 0xE9, al
    loop .out
    ret

banner: db "vmm86: real-mode guest running", 10, "sum(1..1000) = ", 0
done:   db 10, "vmm86: guest done, exiting through port F4h", 10, 0

    times 0xFFF0 - ($ - $$) db 0
reset_vector:
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
