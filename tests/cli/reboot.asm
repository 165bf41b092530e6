; Reboots once through the reset control register (CF9h: SRST|RCPU = 06h) and counts the
; boots in RAM, which a warm reset keeps: the first boot prints "1", resets; the second
; prints "2" and exits through isa-debug-exit (status 1). With --no-reboot vmm86 ends at
; the first reset with status 0. Used by tests/cli/reboot.sh.
bits 16
org 0
COUNTER equ 0x0500
start:
    cli
    xor ax, ax
    mov ds, ax
    inc byte [COUNTER]
    mov al, [COUNTER]
    add al, '0'
    out 0xE9, al
    cmp byte [COUNTER], 2
    jae .done
    mov dx, 0xCF9
    mov al, 0x06
    out dx, al
.spin:
    jmp .spin               ; the reset lands before this matters
.done:
    mov al, 0
    out 0xF4, al
    hlt
    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
