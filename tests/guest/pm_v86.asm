; pm_v86.asm - virtual-8086 mode round trips (SDM vol. 3, 20.2-20.3, no VME): IRETD from
; ring 0 with VM=1 enters V86 with real-mode segments; PUSHFD there reads VM as 0; INT n
; goes to a ring-0 32-bit gate through the IDT, which receives ES DS FS GS SS ESP on its
; stack with the data segment registers zeroed; INT n through a DPL-0 gate is
; #GP(vector*8+2); #UD is delivered to ring 0; with IOPL 0, CLI STI PUSHF POPF INT n IRET
; are #GP(0); I/O in V86 follows the TSS I/O bitmap whatever IOPL is (port E9h allowed,
; 81h denied, a word at E9h touches EAh, denied); and an INT back to protected mode.
;
; The ring-0 handlers are 32-bit code: they record the vector, error code and EIP, skip
; the faulting instruction (R_SKIP bytes), and put IOPL back to 3 so that V86 code can
; print (print.inc uses PUSHF/POPF, IOPL-sensitive in V86).
;
; expect-exit: 1
; expect-output:
; |v86: cs=F000 ss=0000 sp=5000 fs=1234 gs=5678 pe=0001
; |pushfd=00003000
; |ds=0060 [0002]: [0602]=BEEF
; |int 31: eip-label=0000 cs=F000 fl=00023000 esp=00005000
; |int 31: ss=0000 es=0000 ds=0000 fs=1234 gs=5678 in handler: ds=0000 es=0000 fs=0000 gs=0000
; |vec=0D err=019A eip-label=0000 count=0001
; |vec=06 err=0000 eip-label=0000 count=0002
; |vec=0D err=0000 eip-label=0000 count=0003
; |vec=0D err=0000 eip-label=0000 count=0004
; |vec=0D err=0000 eip-label=0000 count=0005
; |vec=0D err=0000 eip-label=0000 count=0006
; |vec=0D err=0000 eip-label=0000 count=0007
; |vec=0D err=0000 eip-label=0000 count=0008
; |vec=0D err=0000 eip-label=0000 count=0009
; |vec=0D err=0000 eip-label=0000 count=000A
; |* io at iopl 0 ok
; |vec=0D err=0000 eip-label=0000 count=000C
; |back in pm: cs=0008 vm=00000000
;
%include "test.inc"

%macro PM_EXTRA_GDT 0
        DESC    0, 0xFFFFF, 0x92, 0xC           ; 40 D32_0: flat data, B=1 (ring-0 stack)
%endmacro
%include "pm.inc"

D32_0   equ 0x40
R_VEC   equ DATA+0x100
R_ERR   equ DATA+0x104
R_EIP   equ DATA+0x108
R_CNT   equ DATA+0x10C
R_SKIP  equ DATA+0x110
R_FRAME equ DATA+0x120                  ; int 31h: EIP CS EFLAGS ESP SS ES DS FS GS
R_HSEG  equ DATA+0x150                  ; int 31h: the handler's DS ES FS GS

%macro V86FAULT 2+                      ; skip length, instruction (at IOPL 0)
        mov     byte [R_SKIP], %1
        mov     al, 0
        int     0x30
%%f:    %2
        mov     ax, %%f
        call    report
%endmacro

start:  TEST_INIT
        PM_ENTER
        mov     word [TSS0_BASE + 8], D32_0
        ; An I/O bitmap of 32 bytes (ports 00-FF) plus the terminating FFh byte: all
        ; denied but 80h and E9h. TR is reloaded for the new limit.
        mov     di, TSS0_BASE + 0x68
        mov     cx, 33
        mov     al, 0xFF
        rep stosb
        and     byte [TSS0_BASE + 0x68 + 0x80/8], ~1
        and     byte [TSS0_BASE + 0x68 + 0xE9/8], ~(1 << (0xE9 & 7))
        mov     word [GDT_BASE + TSS0], 0x68 + 32
        mov     byte [GDT_BASE + TSS0 + 5], 0x89
        mov     ax, TSS0
        ltr     ax
        IDT_SET 6, C32_0, h_ud, 0x8E
        IDT_SET 13, C32_0, h_gp, 0x8E
        IDT_SET 0x30, C32_0, h_iopl, 0xEE
        IDT_SET 0x31, C32_0, h_frame, 0xEE
        IDT_SET 0x32, C32_0, h_exit, 0xEE
        IDT_SET 0x33, C32_0, h_frame, 0x8E      ; DPL 0
        mov     dword [R_CNT], 0

        push    dword 0x5678            ; GS
        push    dword 0x1234            ; FS
        push    dword 0                 ; DS
        push    dword 0                 ; ES
        push    dword 0                 ; SS
        push    dword 0x5000            ; ESP
        push    dword 0x00023002        ; EFLAGS: VM, IOPL 3
        push    dword 0xF000            ; CS
        push    dword v86
        o32 iret

v86:    smsw    ax
        and     ax, 1
        P       "v86: cs="
        H16     cs
        P       " ss="
        H16     ss
        P       " sp="
        H16     sp
        P       " fs="
        H16     fs
        P       " gs="
        H16     gs
        P       " pe="
        H16     ax
        NL
        pushfd
        pop     eax
        and     eax, 0x00037200
        VAL32   "pushfd", eax
        mov     ax, 0x0060              ; segment loads as in real mode
        mov     ds, ax
        mov     word [0x0002], 0xBEEF
        xor     ax, ax
        mov     ds, ax
        VAL16   "ds=0060 [0002]: [0602]", [0x0602]

        int     0x31
.i31:   P       "int 31: eip-label="
        mov     ax, [R_FRAME]
        sub     ax, .i31
        H16     ax
        P       " cs="
        H16     [R_FRAME+4]
        P       " fl="
        mov     eax, [R_FRAME+8]
        and     eax, 0x00037200
        H32     eax
        P       " esp="
        H32     [R_FRAME+12]
        NL
        P       "int 31: ss="
        H16     [R_FRAME+16]
        P       " es="
        H16     [R_FRAME+20]
        P       " ds="
        H16     [R_FRAME+24]
        P       " fs="
        H16     [R_FRAME+28]
        P       " gs="
        H16     [R_FRAME+32]
        P       " in handler: ds="
        H16     [R_HSEG]
        P       " es="
        H16     [R_HSEG+2]
        P       " fs="
        H16     [R_HSEG+4]
        P       " gs="
        H16     [R_HSEG+6]
        NL

        mov     byte [R_SKIP], 2
.i33:   int     0x33                    ; DPL 0 gate
        mov     ax, .i33
        call    report
        mov     byte [R_SKIP], 2
.ud:    ud2
        mov     ax, .ud
        call    report

        V86FAULT 1, cli
        V86FAULT 1, sti
        V86FAULT 1, pushf
        V86FAULT 1, popf
        V86FAULT 2, int 0x31
        V86FAULT 1, iret
        V86FAULT 2, out 0x81, al        ; denied by the bitmap
        V86FAULT 2, out 0xE9, ax        ; EAh denied
        mov     al, 0
        int     0x30
        mov     al, '*'                 ; allowed at IOPL 0: the bitmap decides
        out     0xE9, al
        in      al, 0x80
        mov     byte [R_SKIP], 1
        cli                             ; (and puts IOPL back to 3)
        P       " io at iopl 0 ok", 10
        mov     byte [R_SKIP], 2
.o81:   out     0x81, al                ; IOPL 3 does not allow it either
        mov     ax, .o81
        call    report
        int     0x32

report: ; AX = the faulting instruction's IP. Prints what the handler recorded.
        P       "vec="
        H8      [R_VEC]
        P       " err="
        H16     [R_ERR]
        P       " eip-label="
        push    ax
        mov     ax, [R_EIP]
        pop     bx
        sub     ax, bx
        H16     ax
        P       " count="
        H16     [R_CNT]
        NL
        ret

v86_back:                               ; in protected mode again (from int 32h)
        mov     ax, D_0
        mov     ss, ax
        mov     sp, 0x7000
        mov     ds, ax
        mov     es, ax
        pushfd
        pop     eax
        and     eax, 0x00020000
        P       "back in pm: cs="
        H16     cs
        P       " vm="
        H32     eax
        NL
        TEST_PASS

        bits    32
h_ud:   push    dword 0
        push    dword 6
        jmp     h_rec
h_gp:   push    dword 13
h_rec:  push    eax                     ; [esp+4] vector [+8] error [+12] EIP [+20] EFLAGS
        mov     eax, [esp+4]
        mov     [ss:R_VEC], eax
        mov     eax, [esp+8]
        mov     [ss:R_ERR], eax
        mov     eax, [esp+12]
        mov     [ss:R_EIP], eax
        inc     dword [ss:R_CNT]
        movzx   eax, byte [ss:R_SKIP]
        add     [esp+12], eax
        or      dword [esp+20], 0x3000
        pop     eax
        add     esp, 8
        iretd
h_iopl: and     dword [esp+8], ~0x3000  ; AL -> IOPL
        push    eax
        movzx   eax, al
        shl     eax, 12
        or      [esp+12], eax
        pop     eax
        iretd
h_frame:
        push    eax
        push    ecx
        xor     ecx, ecx
.c:     mov     eax, [esp+8+ecx*4]
        mov     [ss:R_FRAME+ecx*4], eax
        inc     ecx
        cmp     ecx, 9
        jb      .c
        mov     [ss:R_HSEG], ds
        mov     [ss:R_HSEG+2], es
        mov     [ss:R_HSEG+4], fs
        mov     [ss:R_HSEG+6], gs
        pop     ecx
        pop     eax
        iretd
h_exit: jmp     C16_0:v86_back
        bits    16

        ROM_END
