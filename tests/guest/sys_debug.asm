; sys_debug.asm - debug registers in real mode: an instruction breakpoint (a fault before
; the instruction, in a routine copied to RAM at 0000:8000 so that linear = IP), RF
; loaded by IRETD suppressing it once, data breakpoints (traps after the access: write,
; write-only ignoring a read, read/write, a REP STOSB stopping after the iteration that
; hit), an I/O breakpoint with CR4.DE, general detect (DR7.GD: #DB before MOV DR, BD set,
; GD cleared), DR4/DR5 as DR6/DR7 without CR4.DE and #UD with it, DR6/DR7 fixed bits, and
; TF single-step with a data breakpoint reported in one #DB.
;
; The #DB handler records the pushed IP and CS, DR6, CX and DI, then disarms DR7, resets
; DR6 and clears TF in the frame before returning.
;
; QEMU 7.2 differs from the SDM (lines marked s|/q|): it does not implement general
; detect, and it reports a data breakpoint and the TF trap of the same instruction as two
; #DBs instead of one with B0 and BS set (SDM vol. 3, 17.3.1.2).
;
; expect-exit: 1
; expect-output:
; |insn bp: ax=0003 ip=8001 cs=0000
; |insn bp: count=0001 dr6=FFFF0FF1
; |iretd rf: ax=0003
; |iretd rf: count=0000 dr6=00000000
; |again: ax=0003 ip=8000
; |again: count=0001 dr6=FFFF0FF1
; |data write: ip-label=0000
; |data write: count=0001 dr6=FFFF0FF2
; |data read, write-only bp: count=0000 dr6=00000000
; |data read: ip-label=0000
; |data read, read/write bp: count=0001 dr6=FFFF0FF2
; |rep stosb: ip-label=0000 cx=000F di-data=0031 final cx=0000
; |rep stosb: count=0001 dr6=FFFF0FF1
; |io bp: ip-label=0000
; |io bp: count=0001 dr6=FFFF0FF4
; |exc 06 ip=ok
; |dr4=dr6=FFFF0FF0 dr5=dr7=00000555
; s|gd: ip-label=0000 dr7 after=00000400
; s|gd: count=0001 dr6=FFFF2FF0
; s|tf + data: count=0001 dr6=FFFF4FF1
; q|gd: ip-label=FF20 dr7 after=00002400
; q|gd: count=0000 dr6=00000000
; q|tf + data: count=0002 dr6=FFFF0FF0
;
%include "test.inc"

DB_IP   equ DATA+0x100
DB_CS   equ DATA+0x102
DB_CNT  equ DATA+0x104
DB_CX   equ DATA+0x106
DB_DI   equ DATA+0x108
DB_DR6  equ DATA+0x10C
ROUTINE equ 0x8000

%macro REPORT 1                         ; label, then what the last #DB recorded
        P       %1, ": count="
        H16     [DB_CNT]
        P       " dr6="
        H32     [DB_DR6]
        NL
        mov     word [DB_CNT], 0
        mov     dword [DB_DR6], 0
%endmacro

start:  TEST_INIT
        SET_IVT 1, db_handler
        mov     word [DB_CNT], 0
        ; INC AX x3; RETF at 0000:8000.
        mov     dword [ROUTINE], 0xCB404040

        ; --- instruction breakpoint on the second INC ---------------------------------
        mov     eax, ROUTINE + 1
        mov     dr0, eax
        mov     eax, 0x00000001                 ; L0, R/W0 = 00 (execute), LEN0 = 00
        mov     dr7, eax
        xor     ax, ax
        call    0:ROUTINE
        mov     bx, ax
        P       "insn bp: ax="
        H16     bx
        P       " ip="
        H16     [DB_IP]
        P       " cs="
        H16     [DB_CS]
        NL
        REPORT  "insn bp"

        ; --- IRETD with RF set in the image skips the breakpoint once ----------------------
        mov     eax, ROUTINE
        mov     dr0, eax
        mov     eax, 0x00000001
        mov     dr7, eax
        xor     ax, ax
        push    cs                              ; where the RETF returns
        push    word .rf_back
        pushfd
        or      dword [esp], 0x10000            ; RF
        push    dword 0
        push    dword ROUTINE
        iretd
.rf_back:
        mov     bx, ax
        P       "iretd rf: ax="
        H16     bx
        NL
        REPORT  "iretd rf"
        xor     ax, ax
        call    0:ROUTINE                       ; RF is gone: now it fires
        mov     bx, ax
        P       "again: ax="
        H16     bx
        P       " ip="
        H16     [DB_IP]
        NL
        REPORT  "again"

        ; --- data breakpoints ----------------------------------------------------------------
        mov     eax, DATA + 1                   ; 4 bytes: DATA..DATA+3
        mov     dr1, eax
        mov     eax, 0x00D00004                 ; L1, R/W1 = 01 (write), LEN1 = 11 (4 bytes)
        mov     dr7, eax
        mov     byte [DATA+3], 0x5A
.w_after:
        P       "data write: ip-label="
        mov     ax, [DB_IP]
        sub     ax, .w_after
        H16     ax
        NL
        REPORT  "data write"

        mov     eax, 0x00D00004
        mov     dr7, eax
        mov     al, [DATA+3]                    ; a read: R/W = 01 does not see it
        xor     eax, eax
        mov     dr7, eax
        REPORT  "data read, write-only bp"

        mov     eax, 0x00F00004                 ; R/W1 = 11: reads and writes
        mov     dr7, eax
        mov     al, [DATA+2]
.r_after:
        P       "data read: ip-label="
        mov     ax, [DB_IP]
        sub     ax, .r_after
        H16     ax
        NL
        REPORT  "data read, read/write bp"

        ; REP STOSB over DATA+20h..+3Fh with a breakpoint on DATA+30h.
        mov     eax, DATA + 0x30
        mov     dr0, eax
        mov     eax, 0x00010001                 ; L0, write, 1 byte
        mov     dr7, eax
        mov     di, DATA + 0x20
        mov     cx, 0x20
        mov     al, 0xEE
.rep:   rep stosb
        mov     bx, cx
        P       "rep stosb: ip-label="
        mov     ax, [DB_IP]
        sub     ax, .rep
        H16     ax
        P       " cx="
        H16     [DB_CX]
        P       " di-data="
        mov     ax, [DB_DI]
        sub     ax, DATA
        H16     ax
        P       " final cx="
        H16     bx
        NL
        REPORT  "rep stosb"

        ; --- I/O breakpoint (CR4.DE) ------------------------------------------------------------
        mov     eax, cr4
        or      eax, 8
        mov     cr4, eax
        mov     eax, 0x80
        mov     dr2, eax
        mov     eax, 0x02000010                 ; L2, R/W2 = 10 (I/O), LEN2 = 00
        mov     dr7, eax
        out     0x80, al
.io_after:
        P       "io bp: ip-label="
        mov     ax, [DB_IP]
        sub     ax, .io_after
        H16     ax
        NL
        REPORT  "io bp"

        ; --- DR4/DR5: #UD with CR4.DE, DR6/DR7 without ---------------------------------------------
        EXPECT_EXC .dr4, .dr4r
.dr4:   mov     eax, dr4
        EXPECT_DONE
.dr4r:
        mov     eax, cr4
        and     eax, ~8
        mov     cr4, eax
        xor     eax, eax
        mov     dr6, eax
        mov     eax, 0x00000155                 ; L0-L3 set, no address matches anything run
        mov     dr7, eax
        mov     eax, dr4
        mov     ebx, dr5
        xor     ecx, ecx
        mov     dr7, ecx
        P       "dr4=dr6="
        H32     eax
        P       " dr5=dr7="
        H32     ebx
        NL

        ; --- general detect ---------------------------------------------------------------------------
        mov     eax, 0x00002000                 ; GD
        mov     dr7, eax
.gd:    mov     eax, dr0
        P       "gd: ip-label="
        mov     ax, [DB_IP]
        sub     ax, .gd
        H16     ax
        mov     eax, dr7
        P       " dr7 after="
        H32     eax
        NL
        REPORT  "gd"

        ; --- TF and a data breakpoint: one #DB with BS and B0 ---------------------------------------
        mov     eax, DATA
        mov     dr0, eax
        mov     eax, 0x00010001
        mov     dr7, eax
        pushf
        pop     ax
        or      ax, 0x100
        push    ax
        popf
        mov     [DATA], al
        nop
        REPORT  "tf + data"

        TEST_PASS

db_handler:
        push    bp
        mov     bp, sp
        push    eax
        push    ds
        xor     ax, ax
        mov     ds, ax
        mov     ax, [bp+2]
        mov     [DB_IP], ax
        mov     ax, [bp+4]
        mov     [DB_CS], ax
        mov     [DB_CX], cx
        mov     [DB_DI], di
        mov     eax, dr6
        mov     [DB_DR6], eax
        inc     word [DB_CNT]
        xor     eax, eax
        mov     dr7, eax
        mov     dr6, eax
        and     word [bp+6], ~0x100             ; TF off in the frame
        pop     ds
        pop     eax
        pop     bp
        iret

        ROM_END
