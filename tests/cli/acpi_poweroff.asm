; Powers the machine off the way an ACPI OS does: SLP_TYP (S5 = 0 on this board's PIIX4-
; style PM block) with SLP_EN in PM1a_CNT at 604h. vmm86 must end at once with status 0.
bits 16
org 0
start:
    cli
    mov al, 'p'
    out 0xE9, al
    mov dx, 0x604
    mov ax, 0x2000        ; SLP_EN (bit 13) | SLP_TYP 0 (bits 10-12)
    out dx, ax
    mov al, 'X'           ; never reached: the machine is off
    out 0xE9, al
.spin:
    jmp .spin
    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
