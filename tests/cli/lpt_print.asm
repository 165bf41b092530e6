; Prints a line on LPT1 (378h) the way BIOS INT 17h does: probe the data register with a
; pattern, wait for BUSY# high, latch the byte, pulse STROBE. Without a printer the probe
; reads the undriven bus (FFh) and the guest says so on the debug console. Exits through
; isa-debug-exit (F4h) with 0 (status 1). Built with -DLPT=0x3BC it uses that port instead.
bits 16
org 0
%ifndef LPT
%define LPT 0x378
%endif
start:
    cli
    mov ax, cs
    mov ds, ax
    mov dx, LPT
    mov al, 0xAA          ; presence probe: read back what was written
    out dx, al
    in al, dx
    cmp al, 0xAA
    jne .absent
    mov si, msg
.next:
    lodsb
    test al, al
    jz .done
    mov dx, LPT
    out dx, al            ; the data lines
    inc dx                ; status
.busy:
    in al, dx
    test al, 0x80         ; BUSY# high: ready
    jz .busy
    inc dx                ; control
    mov al, 0x0D          ; SLCTIN | INIT# | STROBE
    out dx, al
    mov al, 0x0C
    out dx, al
    jmp .next
.absent:
    mov si, none
.say:
    lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp .say
.done:
    mov al, 0
    out 0xF4, al
.spin:
    jmp .spin
msg:  db "printed on LPT1", 10, 0
none: db "no LPT1", 10, 0
    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
