; misc.asm - CPUID (leaf 0: a maximum leaf >= 1 and a 12-character printable vendor
; string, whatever it is; leaf 1: the TSC, CX8 and CMOV feature bits that the other
; programs rely on, and a family >= 5), RDTSC (counts up), real-mode CR0 (PE=0 through
; SMSW and MOV from CR0), MOV to CR0 of its own value, INVLPG (no paging: no effect, no
; fault) and CLTS.
;
; expect-exit: 1
; expect-output:
; |cpuid 0: max leaf >= 1, vendor printable
; |cpuid 1: tsc=01 cx8=01 cmov=01 family>=5 yes
; |rdtsc: counts up
; |smsw: pe=0000
; |mov eax,cr0: pe=00000000
; |cr0 round trip=01
; |clts: cr0.ts=00
;
%include "test.inc"

start:  TEST_INIT

        xor     eax, eax
        cpuid
        mov     [DATA], ebx             ; vendor: EBX EDX ECX
        mov     [DATA+4], edx
        mov     [DATA+8], ecx
        P       "cpuid 0: max leaf "
        cmp     eax, 1
        jae     .leafok
        P       "< 1 (bad), "
        jmp     .vendor
.leafok:
        P       ">= 1, "
.vendor:
        mov     si, 0
.chk:   mov     al, [DATA+si]
        cmp     al, 0x20
        jb      .badv
        cmp     al, 0x7E
        ja      .badv
        inc     si
        cmp     si, 12
        jne     .chk
        P       "vendor printable"
        jmp     .v2
.badv:  P       "vendor NOT printable"
.v2:    NL

        mov     eax, 1
        cpuid
        mov     ebx, edx
        P       "cpuid 1: tsc="
        bt      ebx, 4
        setc    al
        H8      al
        P       " cx8="
        bt      ebx, 8
        setc    al
        H8      al
        P       " cmov="
        bt      ebx, 15
        setc    al
        H8      al
        mov     eax, 1
        cpuid
        shr     eax, 8
        and     al, 0x0F
        P       " family>=5 "
        cmp     al, 5
        jae     .famok
        P       "NO"
        jmp     .fam2
.famok: P       "yes"
.fam2:  NL

        rdtsc
        mov     esi, eax
        mov     edi, edx
        mov     cx, 1000
.spin:  loop    .spin
        rdtsc
        sub     eax, esi
        sbb     edx, edi
        P       "rdtsc: "
        jc      .tscbad
        or      eax, edx
        jz      .tscbad
        P       "counts up"
        jmp     .tsc2
.tscbad:
        P       "did not count up"
.tsc2:  NL

        smsw    ax
        and     ax, 1
        VAL16   "smsw: pe", ax
        mov     eax, cr0
        mov     ebx, eax
        and     eax, 1
        VAL32   "mov eax,cr0: pe", eax
        mov     cr0, ebx                ; write it back unchanged
        mov     eax, cr0
        cmp     eax, ebx
        sete    al
        VAL8    "cr0 round trip", al
        invlpg  [0x1000]                ; no paging: nothing to do, no fault
        clts
        mov     eax, cr0
        bt      eax, 3
        setc    al
        VAL8    "clts: cr0.ts", al

        TEST_PASS
        ROM_END
