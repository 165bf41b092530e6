; conditions.asm - the 16 condition codes through SETcc (0F 90-9F), CMOVcc (0F 40-4F),
; Jcc short (70-7F) and Jcc near (0F 80-8F, rel16), for a set of flag states; plus
; SETcc to memory and high-byte registers, CMOVcc 16/32 with register and memory
; sources, and Jcc backwards (short and near).
;
; Each line: "fl=<flags in> set=<mask> cmov=<mask> js=<mask> jn=<mask>", bit n of a mask
; set when condition n holds: 0 O 1 NO 2 B 3 AE 4 E 5 NE 6 BE 7 A 8 S 9 NS A P B NP C L
; D GE E LE F G. All four masks must agree.
;
; expect-exit: 1
; expect-output:
; |fl=0002 set=AAAA cmov=AAAA js=AAAA jn=AAAA
; |fl=0003 set=AA66 cmov=AA66 js=AA66 jn=AA66
; |fl=0042 set=6A5A cmov=6A5A js=6A5A jn=6A5A
; |fl=0043 set=6A56 cmov=6A56 js=6A56 jn=6A56
; |fl=0082 set=59AA cmov=59AA js=59AA jn=59AA
; |fl=0802 set=5AA9 cmov=5AA9 js=5AA9 jn=5AA9
; |fl=0882 set=A9A9 cmov=A9A9 js=A9A9 jn=A9A9
; |fl=00C2 set=595A cmov=595A js=595A jn=595A
; |fl=0842 set=5A59 cmov=5A59 js=5A59 jn=5A59
; |fl=0006 set=A6AA cmov=A6AA js=A6AA jn=A6AA
; |fl=0012 set=AAAA cmov=AAAA js=AAAA jn=AAAA
; |fl=08D7 set=6555 cmov=6555 js=6555 jn=6555
; |setcc m =FF0001FF bx=0100
; |cmov32 m ecx=87654321 edx=22222222
; |cmov16 ecx=1111BEEF edx=22222222
; |jcc back bx=0023
; |jz rel16 back bx=0001
;
%include "test.inc"

%define CCS o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g

%macro BY_SET 1-*
%assign i 0
%rep %0
        push    word FLAGS_IN
        popf
        set%1   al
        movzx   ax, al
        shl     ax, i
        or      dx, ax
%assign i i+1
%rotate 1
%endrep
%endmacro

%macro BY_CMOV 1-*
%assign i 0
%rep %0
        mov     ax, 0
        mov     bx, 1 << i
        push    word FLAGS_IN
        popf
        cmov%1  ax, bx
        or      dx, ax
%assign i i+1
%rotate 1
%endrep
%endmacro

%macro BY_JCC 2-*
%define JDIST %1
%rotate 1
%assign i 0
%rep %0 - 1
        push    word FLAGS_IN
        popf
        j%1     JDIST %%t %+ i
        jmp     %%n %+ i
%%t %+ i:
        or      dx, 1 << i
%%n %+ i:
%assign i i+1
%rotate 1
%endrep
%endmacro

%macro CONDS 1
%define FLAGS_IN %1
        P       "fl="
        H16     FLAGS_IN
        P       " set="
        xor     dx, dx
        BY_SET  CCS
        H16     dx
        P       " cmov="
        xor     dx, dx
        BY_CMOV CCS
        H16     dx
        P       " js="
        xor     dx, dx
        BY_JCC  short, CCS
        H16     dx
        P       " jn="
        xor     dx, dx
        BY_JCC  near, CCS
        H16     dx
        NL
%endmacro

start:  TEST_INIT
        CONDS   0x0002
        CONDS   0x0003                  ; CF
        CONDS   0x0042                  ; ZF
        CONDS   0x0043                  ; ZF CF
        CONDS   0x0082                  ; SF
        CONDS   0x0802                  ; OF
        CONDS   0x0882                  ; OF SF
        CONDS   0x00C2                  ; SF ZF
        CONDS   0x0842                  ; OF ZF
        CONDS   0x0006                  ; PF
        CONDS   0x0012                  ; AF (no condition reads it)
        CONDS   0x08D7                  ; all

; SETcc writes exactly one byte, 00 or 01, to any r/m8.
        mov     dword [DATA], 0xFFFFFFFF
        mov     ax, 0x1234
        cmp     ax, 0x1234
        sete    [DATA+1]
        setne   [DATA+2]
        mov     bx, 0xFFFF
        setz    bh
        setc    bl
        P       "setcc m ="
        H32     [DATA]
        P       " bx="
        H16     bx
        NL

; CMOVcc: a false condition leaves the destination alone (upper half too).
        mov     dword [DATA], 0x87654321
        mov     ecx, 0x11111111
        mov     edx, 0x22222222
        stc
        cmovc   ecx, [DATA]             ; taken, 32-bit memory source
        cmovnc  edx, [DATA]             ; not taken
        P       "cmov32 m ecx="
        H32     ecx
        P       " edx="
        H32     edx
        NL
        mov     ecx, 0x11111111
        mov     si, 0xBEEF
        xor     ax, ax                  ; ZF=1
        cmovz   cx, si                  ; 16-bit: the upper half of ECX stays
        cmovnz  dx, si
        P       "cmov16 ecx="
        H32     ecx
        P       " edx="
        H32     edx
        NL

; Jcc backwards, short and near, taken and not taken.
        mov     cx, 3
        xor     bx, bx
.back:  inc     bx
        dec     cx
        jnz     .back                   ; short, backwards
        mov     cx, 2
.backn: add     bx, 0x10
        dec     cx
        jz      .out
        jmp     .pad
.pad:   times 200 nop
        jnz     near .backn             ; near, backwards, rel16 < -128
.out:   VAL16   "jcc back bx", bx
; A hand-encoded 0F 84 rel16 with a negative displacement.
        xor     bx, bx
        jmp     .over
.dest:  inc     bx
        jmp     .done
.over:  xor     ax, ax
        db      0x0F, 0x84              ; jz rel16 back to .dest
        dw      .dest - ($ + 2)
        mov     bx, 0xDEAD
.done:  VAL16   "jz rel16 back bx", bx

        TEST_PASS
        ROM_END
