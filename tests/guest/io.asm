; io.asm - IN/OUT in every form (E4/E5/E6/E7 with imm8 ports, EC/ED/EE/EF with DX,
; byte/word/dword with 66h) and INS/OUTS (byte/word/dword, REP, both directions, a
; source segment override on OUTS, 67h).
;
; Devices used, all on an i440FX/PIIX3 PC: the debug console 0xE9 (text out), the 8259
; mask registers 0x21/0xA1 (read/write bytes), the CMOS RTC's NVRAM (index 0x70, data
; 0x71), and PCI configuration mechanism #1 for word and dword I/O: the address register
; 0xCF8 (dword, reads back), the data window 0xCFC-0xCFF (byte/word/dword), the i440FX
; host bridge at 00:00.0 (IDs 8086:1237; registers 54-57 are plain read/write storage).
; Port 0xEE is unassigned; a word read there gives all ones, as an idle ISA bus does. Word/dword
; accesses to the 8-bit ISA devices are avoided: QEMU mishandles them (a word IN at
; 0x21 returns 0000, at the ELCR 0x4D0 it returns 4D0 twice).
;
; expect-exit: 1
; expect-output:
; |out
; |imr master:slave=A53C
; |imr in al,dx=FF
; |cmos 40:41=5AC3
; |cf8 readback=80000000
; |00:00.0 id=12378086
; |  in ax cfc=8086 in al cfd/ah cff=1280
; |00:00.0 reg 54=55667744
; |in ax,ee=FFFF
; |rep outsb from cs
; |std outsbs
; |  std outsb: si-msg2=FFFF
; |rep outsw: reg 54=CCCC7744 si=0606
; |outsd: reg 54=01020304
; |ins: 81 81 81 04 03 77 77 77 02 01 02 01 04 03 02 01 di=0610
; |insb es:di=81
;
%include "test.inc"

BUF     equ 0x0600

start:  TEST_INIT

        mov     al, 'o'
        out     0xE9, al                ; E6
        mov     dx, 0xE9
        mov     al, 'u'
        out     dx, al                  ; EE
        mov     al, 't'
        out     dx, al
        mov     al, 10
        out     dx, al

        mov     al, 0xA5
        out     0x21, al                ; 8259 master IMR
        mov     al, 0x3C
        out     0xA1, al                ; slave IMR
        in      al, 0x21                ; E4
        mov     ah, al
        in      al, 0xA1
        VAL16   "imr master:slave", ax
        mov     dx, 0x21
        mov     al, 0xFF
        out     dx, al
        in      al, dx                  ; EC
        mov     dx, 0xA1
        out     dx, al
        VAL8    "imr in al,dx", al

        mov     al, 0x40                ; CMOS NVRAM byte 40
        out     0x70, al
        mov     al, 0x5A
        out     0x71, al
        mov     al, 0x41
        out     0x70, al
        mov     al, 0xC3
        out     0x71, al
        mov     al, 0x40
        out     0x70, al
        in      al, 0x71
        mov     ah, al
        mov     al, 0x41
        out     0x70, al
        in      al, 0x71
        VAL16   "cmos 40:41", ax

; Word and dword accesses: PCI configuration space of 00:00.0.
        mov     dx, 0xCF8
        mov     eax, 0x80000000         ; enable, bus 0, device 0, function 0, register 0
        out     dx, eax                 ; 66 EF
        xor     eax, eax
        in      eax, dx                 ; 66 ED
        VAL32   "cf8 readback", eax
        mov     dl, 0xFC
        in      eax, dx
        VAL32   "00:00.0 id", eax
        in      ax, dx                  ; ED
        mov     bx, ax
        mov     dl, 0xFE
        in      ax, dx
        mov     dl, 0xFD
        in      al, dx
        P       "  in ax cfc="
        H16     bx
        P       " in al cfd/ah cff="
        H16     ax
        NL
        mov     dl, 0xF8
        mov     eax, 0x80000054
        out     dx, eax
        mov     dl, 0xFC
        mov     eax, 0x11223344
        out     dx, eax
        mov     ax, 0x5566
        mov     dl, 0xFE
        out     dx, ax                  ; EF: bytes 56-57
        mov     dl, 0xFD
        mov     al, 0x77
        out     dx, al                  ; byte 55
        mov     dl, 0xFC
        in      eax, dx
        VAL32   "00:00.0 reg 54", eax
        in      ax, 0xEE                ; E5: unassigned port
        VAL16   "in ax,ee", ax
        in      eax, 0xEE               ; 66 E5: executed, value not checked (QEMU reads 0)
        mov     ax, 0x1234
        out     0xEE, ax                ; E7 and 66 E7 to an unassigned port: ignored
        out     0xEE, eax

; OUTS: a CS-override REP OUTSB prints a string out of the ROM.
        mov     si, msg
        mov     cx, msg_len
        mov     dx, 0xE9
        cs rep outsb
        std
        mov     si, msg2 + msg2_len - 1
        mov     cx, msg2_len
        cs rep outsb                    ; backwards: the text comes out reversed
        cld
        sub     si, msg2
        VAL16   "  std outsb: si-msg2", si
        mov     word [BUF], 0xAAAA
        mov     word [BUF+2], 0xBBBB
        mov     word [BUF+4], 0xCCCC
        mov     si, BUF
        mov     dx, 0xCFE
        mov     cx, 3
        rep outsw                       ; each word lands in register 56-57; the last stays
        mov     dl, 0xFC
        in      eax, dx
        P       "rep outsw: reg 54="
        H32     eax
        P       " si="
        H16     si
        NL
        mov     dword [BUF], 0x01020304
        mov     si, BUF
        outsd
        in      eax, dx
        VAL32   "outsd: reg 54", eax

; INS: the destination is always ES:DI.
        mov     dword [BUF], 0x77777777
        mov     dword [BUF+4], 0x77777777
        mov     dword [BUF+8], 0x77777777
        mov     dword [BUF+12], 0x77777777
        mov     al, 0x81
        out     0x21, al
        mov     dx, 0x21
        mov     di, BUF
        mov     cx, 3
        rep insb
        mov     dx, 0xCFC               ; register 54 (01020304)
        insw
        std
        mov     di, BUF + 10
        mov     cx, 2
        mov     dl, 0xFE
        rep insw                        ; downwards
        cld
        mov     edi, BUF + 12
        mov     dl, 0xFC
        a32 insd                        ; 67: EDI
        P       "ins:"
%assign k 0
%rep 16
        P       " "
        H8      [BUF+k]
%assign k k+1
%endrep
        P       " di="
        H16     di
        NL
        mov     ax, 0x0050              ; ES=0050: BUF = 0050:(BUF-0500)
        mov     es, ax
        mov     di, BUF - 0x500
        mov     dx, 0x21
        insb
        xor     ax, ax
        mov     es, ax
        VAL8    "insb es:di", [BUF]

        mov     dx, 0xCF8               ; close the configuration window
        xor     eax, eax
        out     dx, eax
        mov     al, 0xFF
        out     0x21, al
        out     0xA1, al
        TEST_PASS

msg:    db      "rep outsb from cs", 10
msg_len equ $ - msg
msg2:   db      10, "sbstuo dts"
msg2_len equ $ - msg2

        ROM_END
