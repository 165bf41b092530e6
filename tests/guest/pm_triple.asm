; pm_triple.asm - a triple fault ends the run (SDM vol. 3, 6.15, interrupt 8: a fault
; while delivering #DF shuts the processor down). With an IDT limit of 0, INT3 cannot be
; delivered (#GP), nor can that #GP (#DF), nor the #DF: shutdown. vmm86 reports
; "triple fault" and exits with status 2; QEMU with -no-reboot shuts down with status 0.
; Nothing may be printed after the INT3.
;
; expect-exit: 2
; expect-exit-qemu: 0
; expect-output:
; |before
;
%include "test.inc"
%include "pm.inc"

start:  TEST_INIT
        PM_ENTER
        P       "before", 10
        o32 lidt [cs:zero_idtr]
        int3
        P       "after", 10
        TEST_PASS

zero_idtr:      dw 0
                dd IDT_BASE

        ROM_END
