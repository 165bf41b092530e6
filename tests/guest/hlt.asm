; hlt.asm - HLT woken by a hardware interrupt, and the STI interrupt shadow, with the
; 8259 PIC (initialised here: master vectors 08-0F, slave 70-77, only IRQ0 unmasked)
; and the 8254 PIT channel 0 in mode 0 (one shot: OUT0 rises once when the count ends).
;   - STI; HLT: the interrupt arrives, the pushed IP is that of the instruction after
;     the HLT (SDM: HLT), and execution resumes there; three times, one IRQ each.
;   - An IRQ already pending (seen in the IRR) while IF=0 is taken only after the
;     instruction that follows STI, and at once after it.
;   - With IF=0 a pending IRQ is not taken at all, until STI.
; A local APIC (CPUID.1:EDX[9]) that is enabled with LVT0 masked, as after reset, keeps
; the 8259's INTR from the CPU; the program switches it off (IA32_APIC_BASE bit 11):
; the SDM says the CPU is then "functionally equivalent to an IA-32 processor without
; an on-chip APIC". QEMU 7.2 still routes the PIC through the masked LVT0 and never
; delivers the IRQ, so under QEMU this program runs on a CPU without an APIC:
; qemu-args: -cpu qemu32,-apic
;
; expect-exit: 1
; expect-output:
; |hlt woke: ticks=0001 pushed ip-after_hlt=0000
; |hlt woke: ticks=0002 pushed ip-after_hlt=0000
; |hlt woke: ticks=0003 pushed ip-after_hlt=0000
; |pending with IF=0: ticks=0003
; |after sti: ticks=0004 flag seen by the handler=01
;
%include "test.inc"

TICKS   equ 0x0580
LAST_IP equ 0x0582
FLAG    equ 0x0584
SEEN    equ 0x0586

; PIT_ONESHOT count : channel 0, lobyte/hibyte, mode 0, binary
%macro PIT_ONESHOT 1
        mov     al, 0x30
        out     0x43, al
        mov     al, (%1) & 0xFF
        out     0x40, al
        mov     al, (%1) >> 8
        out     0x40, al
%endmacro

start:  TEST_INIT
        mov     eax, 1
        cpuid
        bt      edx, 9
        jnc     .noapic
        mov     ecx, 0x1B
        rdmsr
        and     eax, ~0x800
        wrmsr
.noapic:
        SET_IVT 0x08, irq0
        mov     word [TICKS], 0
        mov     al, 0x11                ; ICW1: edge, cascade, ICW4 follows
        out     0x20, al
        out     0xA0, al
        mov     al, 0x08                ; ICW2: vector bases
        out     0x21, al
        mov     al, 0x70
        out     0xA1, al
        mov     al, 0x04                ; ICW3: slave on IRQ2
        out     0x21, al
        mov     al, 0x02
        out     0xA1, al
        mov     al, 0x01                ; ICW4: 8086 mode, normal EOI
        out     0x21, al
        out     0xA1, al
        mov     al, 0xFE                ; only IRQ0
        out     0x21, al
        mov     al, 0xFF
        out     0xA1, al

; HLT, three times.
        mov     cx, 3
.again: cli
        PIT_ONESHOT 2000                ; about 1.7 ms
        sti
        hlt
.after: cli
        mov     ax, [LAST_IP]
        sub     ax, .after
        P       "hlt woke: ticks="
        H16     [TICKS]
        P       " pushed ip-after_hlt="
        H16     ax
        NL
        loop    .again

; An IRQ pending while IF=0: not taken until STI, then after one more instruction.
        cli
        PIT_ONESHOT 100
        mov     byte [FLAG], 0
.wait:  mov     al, 0x0A                ; OCW3: read IRR
        out     0x20, al
        in      al, 0x20
        test    al, 0x01
        jz      .wait
        mov     cx, 1000
.idle:  loop    .idle                   ; still pending, IF=0: nothing happens
        mov     ax, [TICKS]
        VAL16   "pending with IF=0: ticks", ax
        sti
        mov     byte [FLAG], 1          ; in the STI shadow: runs before the interrupt
        mov     byte [FLAG], 2          ; the interrupt comes before this one
        cli
        P       "after sti: ticks="
        H16     [TICKS]
        P       " flag seen by the handler="
        H8      [SEEN]
        NL

        mov     al, 0xFF                ; mask everything again
        out     0x21, al
        TEST_PASS

irq0:   push    ax
        inc     word [ss:TICKS]
        push    bp
        mov     bp, sp
        mov     ax, [bp+4]              ; pushed IP
        mov     [ss:LAST_IP], ax
        pop     bp
        mov     al, [ss:FLAG]
        mov     [ss:SEEN], al
        mov     al, 0x20                ; EOI
        out     0x20, al
        pop     ax
        iret

        ROM_END
