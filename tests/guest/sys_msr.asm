; sys_msr.asm - MSRs from real mode (CPL 0): CPUID's MSR/TSC/DE/SEP/MTRR/PAT bits, PAT,
; MTRRcap, MTRRdefType, variable and fixed MTRRs, the SYSENTER MSRs (round trips), the
; TSC written through MSR 10h and read by RDMSR and RDTSC, RDTSCP with IA32_TSC_AUX,
; RDTSC with CR4.TSD (ignored at CPL 0), and the #GP(0) cases: an unknown MSR, a
; reserved PAT type, SYSENTER and SYSEXIT in real mode, RDPMC of a counter that does
; not exist.
;
; QEMU 7.2 differs from the SDM (lines marked s|/q|): it reads unknown MSRs as 0 and
; writes them without #GP, accepts reserved PAT types (EFER exists on both: NX), a local
; APIC (IA32_APIC_BASE EN=1), ignores WRMSR to the TSC (and reads MSR 10h as 0), and
; RDPMC is #UD. vmm86 models a P6 without an APIC.
;
; qemu-args: -cpu qemu32,+rdtscp,+mtrr
; expect-exit: 1
; expect-output:
; |cpuid 1: de=01 tsc=01 msr=01 sep=01 mtrr=01 pat=01
; |pat=00070406:00070406
; |wr pat ok
; |pat=06060606:06060607
; s|exc 0D ip=ok
; q|wr pat type 2 ok
; |mtrrcap=00000000:00000508
; |wr mtrr def type ok
; |mtrr def type=00000000:00000C06
; |wr physbase0 ok
; |wr physmask0 ok
; |physbase0=00000000:00100006
; |physmask0=0000000F:FFF00800
; |wr fix64k ok
; |fix64k=06060606:06060606
; |wr fix4k f8000 ok
; |fix4k f8000=05050505:05050505
; |wr sysenter cs ok
; |wr sysenter esp ok
; |wr sysenter eip ok
; |sysenter cs=00000000:00000060
; |sysenter esp=00000000:00123450
; |sysenter eip=00000000:C0001000
; s|exc 0D ip=ok
; q|unknown 12345678=00000000:00000000
; |efer=00000000:00000000
; s|apic base=00000000:FEE00100
; q|apic base=00000000:FEE00900
; |wr tsc ok
; s|tsc after write: rdmsr ok, rdtsc ok
; q|tsc after write: rdmsr bad, rdtsc bad
; |wr tsc_aux ok
; s|rdtscp: ecx=0000002A tsc ok
; q|rdtscp: ecx=0000002A tsc bad
; |rdtsc with cr4.tsd: ok
; s|rdpmc 0=00000000:00000000
; s|exc 0D ip=ok
; q|exc 06 ip=ok
; q|exc 06 ip=ok
; |sysenter: exc 0D ip=ok
; |sysexit: exc 0D ip=ok
;
%include "test.inc"

%macro RDMSR_TRY 2                      ; label, index: print EDX:EAX or the exception
        mov     ecx, %2
        xor     eax, eax
        xor     edx, edx
        EXPECT_EXC %%f, %%r
%%f:    rdmsr
        EXPECT_DONE
        P       %1, "="
        H32     edx
        P       ":"
        H32     eax
        NL
%%r:
%endmacro

%macro WRMSR_TRY 4                      ; label, index, edx, eax
        mov     ecx, %2
        mov     edx, %3
        mov     eax, %4
        EXPECT_EXC %%f, %%r
%%f:    wrmsr
        EXPECT_DONE
        P       %1, " ok"
        NL
%%r:
%endmacro

%macro BIT 2                            ; name, bit of EBX
        P       %1, "="
        bt      ebx, %2
        setc    al
        H8      al
%endmacro

start:  TEST_INIT

        mov     eax, 1
        cpuid
        mov     ebx, edx
        P       "cpuid 1: "
        BIT     "de", 2
        BIT     " tsc", 4
        BIT     " msr", 5
        BIT     " sep", 11
        BIT     " mtrr", 12
        BIT     " pat", 16
        NL

        RDMSR_TRY "pat", 0x277
        WRMSR_TRY "wr pat", 0x277, 0x06060606, 0x06060607
        RDMSR_TRY "pat", 0x277
        WRMSR_TRY "wr pat type 2", 0x277, 0x00070406, 0x00070402
        RDMSR_TRY "mtrrcap", 0xFE
        WRMSR_TRY "wr mtrr def type", 0x2FF, 0, 0xC06
        RDMSR_TRY "mtrr def type", 0x2FF
        WRMSR_TRY "wr physbase0", 0x200, 0, 0x00100006
        WRMSR_TRY "wr physmask0", 0x201, 0x0000000F, 0xFFF00800
        RDMSR_TRY "physbase0", 0x200
        RDMSR_TRY "physmask0", 0x201
        WRMSR_TRY "wr fix64k", 0x250, 0x06060606, 0x06060606
        RDMSR_TRY "fix64k", 0x250
        WRMSR_TRY "wr fix4k f8000", 0x26F, 0x05050505, 0x05050505
        RDMSR_TRY "fix4k f8000", 0x26F
        WRMSR_TRY "wr sysenter cs", 0x174, 0, 0x0060
        WRMSR_TRY "wr sysenter esp", 0x175, 0, 0x00123450
        WRMSR_TRY "wr sysenter eip", 0x176, 0, 0xC0001000
        RDMSR_TRY "sysenter cs", 0x174
        RDMSR_TRY "sysenter esp", 0x175
        RDMSR_TRY "sysenter eip", 0x176
        RDMSR_TRY "unknown 12345678", 0x12345678
        RDMSR_TRY "efer", 0xC0000080
        RDMSR_TRY "apic base", 0x1B

        ; The TSC: write 10000000h, then RDMSR and RDTSC read a little more.
        WRMSR_TRY "wr tsc", 0x10, 0, 0x10000000
        mov     ecx, 0x10
        rdmsr
        mov     esi, eax
        mov     edi, edx
        rdtsc
        P       "tsc after write: rdmsr "
        call    tsc_near
        mov     esi, eax
        mov     edi, edx
        P       ", rdtsc "
        call    tsc_near
        NL

        ; RDTSCP: EDX:EAX = TSC, ECX = IA32_TSC_AUX.
        WRMSR_TRY "wr tsc_aux", 0xC0000103, 0, 0x2A
        mov     ecx, 0
        db      0x0F, 0x01, 0xF9        ; rdtscp (nasm knows it only past "cpu 686")
        mov     esi, eax
        mov     edi, edx
        P       "rdtscp: ecx="
        H32     ecx
        P       " tsc "
        call    tsc_near
        NL

        ; CR4.TSD restricts RDTSC to CPL 0: real mode is CPL 0.
        mov     eax, cr4
        or      eax, 4
        mov     cr4, eax
        rdtsc
        P       "rdtsc with cr4.tsd: ok"
        NL
        mov     eax, cr4
        and     eax, ~4
        mov     cr4, eax

        mov     ecx, 0
        EXPECT_EXC .pmc0, .pmc0r
.pmc0:  rdpmc
        EXPECT_DONE
        P       "rdpmc 0="
        H32     edx
        P       ":"
        H32     eax
        NL
.pmc0r:
        mov     ecx, 2
        EXPECT_EXC .pmc2, .pmc2r
.pmc2:  rdpmc
        EXPECT_DONE
        P       "rdpmc 2: no fault"
        NL
.pmc2r:
        P       "sysenter: "
        EXPECT_EXC .se, .ser
.se:    sysenter
        EXPECT_DONE
.ser:
        P       "sysexit: "
        EXPECT_EXC .sx, .sxr
.sx:    sysexit
        EXPECT_DONE
.sxr:
        TEST_PASS

; ESI:EDI = a TSC value read after the TSC was written: prints "ok" if it is 10000000h
; or a little more (below 10000000h + 2^28).
tsc_near:
        cmp     edi, 0
        jne     .bad
        cmp     esi, 0x10000000
        jb      .bad
        cmp     esi, 0x20000000
        jae     .bad
        P       "ok"
        ret
.bad:   P       "bad"
        ret

        ROM_END
