; COM1 echo: prints "serial ok: ", then echoes every received byte until a "q", then
; exits through isa-debug-exit (status 1). Used by tests/cli/serial.sh.
bits 16
org 0
start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ax, cs
    mov ds, ax
    mov si, msg
.p: lodsb
    test al, al
    jz .rd
    call putc
    jmp .p
.rd:
    mov dx, 0x3FD
.w: in al, dx
    test al, 1
    jz .w
    mov dx, 0x3F8
    in al, dx
    cmp al, 'q'
    je .done
    call putc
    jmp .rd
.done:
    mov al, 0
    out 0xF4, al
putc:
    push ax
    mov dx, 0x3FD
.t: in al, dx
    test al, 0x20
    jz .t
    pop ax
    mov dx, 0x3F8
    out dx, al
    ret
msg: db "serial ok: ", 0
    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
