; x87_basic.asm - the x87 in real mode: FNINIT state (control 037F, status 0000, tags
; empty), constants and conversions (FLD1 FLDZ FLDPI, FILD FISTP with rounding control,
; FBSTP), arithmetic (FADD FMUL FDIV FSQRT), comparisons into the status word and into
; EFLAGS (FCOM FTST FXAM FCOMI), the stack TOP field, masked zero divide (ZE, +inf),
; unmasked zero divide reported at the next waiting instruction as #MF (CR0.NE = 1), and
; #NM from CR0.TS / CR0.EM / CR0.MP with WAIT.
;
; expect-exit: 1
; expect-output:
; |fninit cw=037F
; |fninit sw=0000
; |fninit tags=FFFF
; |1+1+2=0004
; |10/4 nearest=0002
; |10/4 up=0003
; |-10/4 chop=FFFE
; |sqrt 2=3FF6A09E667F3BCD
; |pi=400921FB54442D18
; |fbstp 1234=00000000000000001234
; |top after 2 pushes=3000
; |fcom 2,1 sw=0000
; |fcom 1,2 sw=0100
; |fcomi 1,2 fl=0001
; |ftst 0 sw=4000
; |fxam empty sw=4100
; |1/0 masked sw=0024
; |1/0=7FF0000000000000
; |1/0 unmasked sw=8084
; |exc 10 ip=ok
; |exc 07 ip=ok
; |wait with ts, no mp: ok
; |exc 07 ip=ok
; |exc 07 ip=ok
; |wait with em: ok
; |done
;
%include "test.inc"

V       equ DATA                        ; scratch qword / tbyte
W       equ DATA+0x10                   ; scratch word

%macro QW 1                             ; print the qword at V: label=hhhhhhhhllllllll
        P       %1, "="
        H32     [V+4]
        H32     [V]
        NL
%endmacro

start:  TEST_INIT
        mov     eax, cr0
        and     eax, ~0x0000000E        ; MP EM TS clear
        or      eax, 0x00000020         ; NE: #MF rather than FERR#
        mov     cr0, eax
        fninit
        fnstcw  [W]
        VAL16   "fninit cw", [W]
        fnstsw  ax
        VAL16   "fninit sw", ax
        fnstenv [V+0x20]
        VAL16   "fninit tags", [V+0x20+4]

        fld1
        fld1
        faddp   st1, st0
        fild    word [cs:two]
        faddp   st1, st0                ; 1 + 1 + 2
        fistp   word [W]
        VAL16   "1+1+2", [W]
        fild    word [cs:ten]
        fild    word [cs:four]
        fdivp   st1, st0                ; 2.5
        fist    word [W]
        VAL16   "10/4 nearest", [W]
        fldcw   [cs:cw_up]
        fist    word [W]
        VAL16   "10/4 up", [W]
        fldcw   [cs:cw_chop]
        fchs
        fistp   word [W]
        VAL16   "-10/4 chop", [W]
        fldcw   [cs:cw_default]
        fild    word [cs:two]
        fsqrt
        fstp    qword [V]
        QW      "sqrt 2"
        fldpi
        fstp    qword [V]
        QW      "pi"
        fild    word [cs:bcdval]
        fbstp   [V]
        P       "fbstp 1234="
        H16     [V+8]
        H32     [V+4]
        H32     [V]
        NL

        fld1                            ; ST1 = 1
        fild    word [cs:two]           ; ST0 = 2
        fnstsw  ax
        and     ax, 0x3800
        VAL16   "top after 2 pushes", ax
        fcom    st1                     ; 2 > 1: C3 C2 C0 = 000
        fnstsw  ax
        and     ax, 0x4500
        VAL16   "fcom 2,1 sw", ax
        fxch
        fcom    st1                     ; 1 < 2: C0
        fnstsw  ax
        and     ax, 0x4500
        VAL16   "fcom 1,2 sw", ax
        fcomi   st0, st1
        pushf
        pop     ax
        and     ax, F_ZF | F_PF | F_CF
        VAL16   "fcomi 1,2 fl", ax
        fcompp
        fldz
        ftst
        fnstsw  ax
        and     ax, 0x4500
        VAL16   "ftst 0 sw", ax
        fstp    st0
        fxam                            ; empty register
        fnstsw  ax
        and     ax, 0x4700
        VAL16   "fxam empty sw", ax

        fld1                            ; masked zero divide
        fldz
        fdivp   st1, st0
        fnstsw  ax
        and     ax, 0x00BF
        VAL16   "1/0 masked sw", ax
        fstp    qword [V]
        QW      "1/0"
        fnclex
        fldcw   [cs:cw_ze]              ; unmask ZE
        fld1
        fldz
        fdivp   st1, st0                ; no exception yet...
        fnstsw  ax
        and     ax, 0x80BF
        VAL16   "1/0 unmasked sw", ax
        EXPECT_EXC .wt, .wr
.wt:    fwait                           ; ...but here: #MF
.wr:    fnclex
        fninit

        mov     eax, cr0
        or      eax, 8                  ; TS
        mov     cr0, eax
        EXPECT_EXC .t1, .t1r
.t1:    fld1
.t1r:   fwait                           ; TS without MP: WAIT does not fault
        P       "wait with ts, no mp: ok", 10
        mov     eax, cr0
        or      eax, 2                  ; MP
        mov     cr0, eax
        EXPECT_EXC .t2, .t2r
.t2:    fwait
.t2r:   clts
        mov     eax, cr0
        or      eax, 4                  ; EM
        mov     cr0, eax
        EXPECT_EXC .t3, .t3r
.t3:    fninit                          ; even the no-wait forms
.t3r:   fwait                           ; EM alone does not affect WAIT
        P       "wait with em: ok", 10
        and     eax, ~6
        mov     cr0, eax
        P       "done", 10
        TEST_PASS

two:    dw 2
ten:    dw 10
four:   dw 4
bcdval: dw 1234
cw_default: dw 0x037F
cw_up:  dw 0x0B7F
cw_chop: dw 0x0F7F
cw_ze:  dw 0x037B

        ROM_END
