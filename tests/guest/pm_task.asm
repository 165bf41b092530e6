; pm_task.asm - hardware task switches between 32-bit TSSes (SDM vol. 3, 7.3): JMP to a
; TSS (old task not busy, new busy, no link), CALL (both busy, NT set in the new task,
; previous-task link), IRET with NT back to the caller (callee no longer busy), INT n
; through a task gate in the IDT, JMP through a task gate in the GDT, registers saved and
; restored through the TSS, CR0.TS set by every switch, and the faults: JMP to the busy
; current task (#GP(sel)), a TSS with a limit below 67h (#TS(sel)).
;
; Task B runs straight through: every switch into it resumes after the instruction that
; left it last time.
;
; expect-exit: 1
; expect-output:
; |B: eax=B0B0B0B0
; |B via jmp: tr=0040 nt=0000 link=0000 A=89 B=8B
; |A after jmp back: tr=0028 ebx=12345678 A=8B B=89 ts=0008
; |B via call: tr=0040 nt=4000 link=0028 A=8B B=8B
; |A after iret: nt=0000 B's saved nt=0000 A=8B B=89
; |B via int: tr=0040 nt=4000 link=0028 A=8B B=8B
; |A after int:  A=8B B=89
; |B via gate: tr=0040 nt=0000 link=0028 A=89 B=8B
; |A after gate jmp:  A=8B B=89
; |exc 0D err=0028 ip=ok
; |exc 0A err=0048 ip=ok
; |tr=0028
; |done
;
%include "test.inc"

TSSB_BASE equ 0x2100
TSSC_BASE equ 0x2200

%macro PM_EXTRA_GDT 0
        DESC    TSSB_BASE, 0x67, 0x89, 0x0      ; 40 task B
        DESC    TSSC_BASE, 0x60, 0x89, 0x0      ; 48 task C: limit too small
        dw      0, TSSB, 0x8500, 0              ; 50 task gate to B
%endmacro
%include "pm.inc"

TSSB    equ 0x40
TSSC    equ 0x48
TGATE   equ 0x50

%macro BUSY 0                           ; print " busy A=xx B=xx" (descriptor access bytes)
        P       " A="
        H8      [GDT_BASE + TSS0 + 5]
        P       " B="
        H8      [GDT_BASE + TSSB + 5]
%endmacro

%macro INFO 1                           ; in task B
        pushfd
        pop     eax
        and     eax, 0x4000
        str     bx
        P       %1, ": tr="
        H16     bx
        P       " nt="
        H16     ax
        P       " link="
        H16     [TSSB_BASE]
        BUSY
        NL
%endmacro

start:  TEST_INIT
        PM_ENTER
        IDT_SET 0x50, TSSB, 0, 0x85     ; task gate
        mov     di, TSSB_BASE           ; task B's initial state
        mov     cx, 0x68
        xor     al, al
        rep stosb
        mov     dword [TSSB_BASE + 0x20], taskb         ; EIP
        mov     dword [TSSB_BASE + 0x24], 0x0002        ; EFLAGS
        mov     dword [TSSB_BASE + 0x28], 0xB0B0B0B0    ; EAX
        mov     dword [TSSB_BASE + 0x38], 0x6000        ; ESP
        mov     word [TSSB_BASE + 0x4C], C16_0          ; CS
        mov     ax, D_0
        mov     [TSSB_BASE + 0x48], ax                  ; ES
        mov     [TSSB_BASE + 0x50], ax                  ; SS
        mov     [TSSB_BASE + 0x54], ax                  ; DS
        mov     [TSSB_BASE + 0x58], ax                  ; FS
        mov     [TSSB_BASE + 0x5C], ax                  ; GS
        mov     word [TSSB_BASE + 0x66], 0x68

        mov     ebx, 0x12345678
        jmp     TSSB:0
        str     ax
        P       "A after jmp back: tr="
        H16     ax
        P       " ebx="
        H32     ebx
        BUSY
        smsw    ax
        and     ax, 8
        P       " ts="
        H16     ax
        NL
        clts

        call    TSSB:0
        pushfd
        pop     eax
        and     eax, 0x4000
        P       "A after iret: nt="
        H16     ax
        P       " B's saved nt="
        mov     eax, [TSSB_BASE + 0x24]
        and     eax, 0x4000
        H16     ax
        BUSY
        NL

        int     0x50
        P       "A after int: "
        BUSY
        NL

        jmp     TGATE:0
        P       "A after gate jmp: "
        BUSY
        NL

        EXPECT_EXC .f1, .r1
.f1:    jmp     TSS0:0                  ; the current task is busy
.r1:    EXPECT_EXC .f2, .r2
.f2:    jmp     TSSC:0                  ; TSS limit 60h
.r2:    str     ax
        VAL16   "tr", ax
        P       "done", 10
        TEST_PASS

taskb:  mov     ecx, eax
        P       "B: eax="
        H32     ecx
        NL
        INFO    "B via jmp"
        jmp     TSS0:0
        INFO    "B via call"
        iret
        INFO    "B via int"
        iret
        INFO    "B via gate"
        jmp     TSS0:0
        P       "B: unexpected", 10
        TEST_FAIL

        ROM_END
