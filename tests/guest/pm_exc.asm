; pm_exc.asm - exception delivery corner cases in protected mode (SDM vol. 3, 6.12-6.15):
; a vector beyond the IDT limit and a not-present gate for INT n (#GP/#NP with IDT error
; codes, EXT = 0); a benign exception (#UD) whose gate is not present (#NP with EXT = 1,
; handled serially, not a double fault); a contributory exception (#GP) whose gate is not
; present (#NP during #GP delivery: #DF with error code 0); the order of checks of a
; segment load (type before presence, DPL before presence).
;
; QEMU 7.2 sets EXT only for hardware interrupts; the SDM (6.13) sets it for a fault
; during the delivery of any event external to the program, "such as an interrupt or an
; earlier exception": the #NP while delivering #UD has EXT = 1 (s|), QEMU's 0 is q|.
; (Not here: a near JMP beyond the CS limit, which faults on the JMP itself with nothing
; done; QEMU does not check it, so it is tested in tests/unit/test_branch_limit.cpp.)
;
; The #DF handler does not return (the saved CS:EIP of a double fault is undefined): it
; resets the stack and jumps to DF_RESUME.
;
; expect-exit: 1
; expect-output:
; |exc 0D err=0202 ip=ok
; |exc 0B err=020A ip=ok
; s|exc 0B err=0033 ip=ok
; q|exc 0B err=0032 ip=ok
; |double fault err=0000
; |exc 0D err=0040 ip=ok
; |exc 0D err=0048 ip=ok
; |exc 0B err=0048 ip=ok
; |done
;
%include "test.inc"

%macro PM_EXTRA_GDT 0
        DESC    0xF0000, 0xFFFF, 0x18, 0x0      ; 40 execute-only code, not present
        DESC    0, 0xFFFF, 0x72, 0x0            ; 48 data, DPL 3, not present
%endmacro
%include "pm.inc"

DF_RESUME equ DATA+0x100

%macro FAULT 1+
        EXPECT_EXC %%f, %%r
%%f:    %1
%%r:
%endmacro

start:  TEST_INIT
        PM_ENTER
        IDT_SET 8, C16_0, h_df, 0x86

        o32 lidt [cs:small_idtr]        ; 40h vectors
        FAULT   int 0x40
        o32 lidt [cs:pm_idtr]
        mov     byte [IDT_BASE + 0x41*8 + 5], 0x06      ; gate present bit clear
        FAULT   int 0x41
        mov     byte [IDT_BASE + 6*8 + 5], 0x06
        FAULT   ud2
        mov     byte [IDT_BASE + 6*8 + 5], 0x86

        mov     byte [IDT_BASE + 13*8 + 5], 0x06        ; #GP's gate not present
        mov     word [DF_RESUME], .dfr
        mov     ax, 0x01F8
        mov     ds, ax                  ; #GP(1F8h) -> #NP(6Bh) -> #DF
        P       "no double fault", 10
.dfr:   mov     ax, D_0
        mov     ds, ax
        mov     byte [IDT_BASE + 13*8 + 5], 0x86

        mov     ax, 0x40                ; not readable and not present: #GP(sel)
        FAULT   mov ds, ax
        mov     ax, 0x48                ; DPL 3 and not present: #GP(sel) for SS
        FAULT   mov ss, ax
        mov     ax, 0x48                ; into DS the DPL is fine: #NP(sel)
        FAULT   mov ds, ax
        mov     ax, D_0
        mov     ds, ax

        P       "done", 10
        TEST_PASS

small_idtr:     dw 0x40*8 - 1
                dd IDT_BASE

h_df:   mov     bp, sp
        P       "double fault err="
        H16     [ss:bp]
        NL
        mov     sp, 0x7000
        jmp     [ss:DF_RESUME]

        ROM_END
