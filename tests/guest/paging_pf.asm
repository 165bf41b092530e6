; paging_pf.asm - 32-bit paging (SDM vol. 3, 4.3, 4.7, 4.8, 4.10): the #PF error codes
; (P, W/R, U/S, RSVD) with CR2, for reads and writes, at CPL 0 and 3; CR0.WP; a 4 MiB
; page with a reserved bit; an instruction fetch from a not-present page (error code 0
; without NX); accessed and dirty bits in the PTE and PDE; and the TLB rules that the
; SDM defines: INVLPG and a CR3 load drop a stale translation, a CR4.PGE toggle drops a
; global one. Segmentation is checked before paging: an access beyond a limit into a
; not-present page is #GP, not #PF.
;
; Lines marked "stale" read a translation after its PTE changed without a flush: the SDM
; allows the old or the new one (4.10.4.3: a processor may cache a translation, and may
; drop it at any time, global ones too), so where vmm86 and QEMU 7.2 differ there, both
; are right. QEMU differs from the SDM twice more: a reserved-bit #PF must have P = 1 as
; well as RSVD ("reserved bits are not checked in a paging-structure entry whose P flag
; is 0, [so] bit 3 of the error code can be set only if bit 0 is also set", 4.7), QEMU
; reports P = 0; and QEMU does not check segment limits (the priority line).
;
; expect-exit: 1
; expect-output:
; |paging on
; |exc 0E err=0000 ip=ok
; |  cr2=00201000
; |exc 0E err=0002 ip=ok
; |  cr2=00201004
; |cpl 0, wp 0: writes ok
; |exc 0E err=0003 ip=ok
; |  cr2=00203000
; |exc 0E err=0003 ip=ok
; |  cr2=00204000
; s|exc 0E err=0009 ip=ok
; q|exc 0E err=0008 ip=ok
; |  cr2=00400000
; |exc 0E err=0000 ip=ok
; |  cr2=000FE000
; |ring 3
; |exc 0E err=0005 ip=ok
; |  cr2=00202000
; |exc 0E err=0007 ip=ok
; |  cr2=00203000
; |exc 0E err=0006 ip=ok
; |  cr2=00201000
; s|exc 0E err=000F ip=ok
; q|exc 0E err=000E ip=ok
; |  cr2=00400000
; |user read of read-only page=000000AA
; |pte before=00000000
; |pte after read=00000020
; |pte after write=00000060
; |pde=00000020
; |map F1=11111111
; s|stale after PTE change=22222222
; q|stale after PTE change=11111111
; |after invlpg=22222222
; |after cr3 load=11111111
; |global F2=22222222
; |stale global after cr3 load=11111111
; |after pge toggle=11111111
; s|exc 0D err=0000 ip=ok
; q|exc 0E err=0000 ip=ok
; |done
;
%include "test.inc"

%macro PM_EXTRA_GDT 0
        DESC    0x200000, 0x0FFF, 0x92, 0x0     ; 40 D_LIM: 200000-200FFF
%endmacro
%include "pm.inc"

D_LIM   equ 0x40
PD      equ 0x10000
PT0     equ 0x11000
T_NP    equ 0x201000                    ; not present
T_SUP   equ 0x202000                    ; supervisor, writable
T_RO    equ 0x203000                    ; user, read-only
T_SRO   equ 0x204000                    ; supervisor, read-only
T_AD    equ 0x205000                    ; untouched: A and D clear
T_MAP   equ 0x206000                    ; remapped to F1 or F2
F1      equ 0x300000
F2      equ 0x301000
CR2_AT  equ DATA+0x100

%define PTE(lin) (PT0 + ((lin) >> 12) * 4)

%macro PF 1+                            ; an access that must page-fault
        EXPECT_EXC %%f, %%r
%%f:    %1
%%r:    P       "  cr2="
        H32     [dword CR2_AT]
        NL
%endmacro

start:  TEST_INIT
        PM_ENTER
        IDT_SET 14, C16_0, h_pf, 0x86
        IDT_SET 0x40, C16_0, ring0, 0xE6
        ; Identity map of 0-4 MiB, user and writable; then the test pages.
        mov     edi, PT0
        mov     eax, 0x007
.fill:  mov     [edi], eax
        add     eax, 0x1000
        add     edi, 4
        cmp     edi, PT0 + 4096
        jb      .fill
        mov     dword [dword PD], PT0 | 0x007
        mov     dword [dword PD + 4], 0x00400000 | 0x200000 | 0x87  ; 4 MiB page, bit 21 reserved
        mov     dword [dword PTE(T_NP)], 0
        mov     dword [dword PTE(T_SUP)], T_SUP | 0x003
        mov     dword [dword PTE(T_RO)], T_RO | 0x005
        mov     dword [dword PTE(T_SRO)], T_SRO | 0x001
        mov     dword [dword PTE(T_MAP)], F1 | 0x003
        mov     dword [dword F1], 0x11111111
        mov     dword [dword F2], 0x22222222
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        P       "paging on", 10

        ; --- CPL 0 ------------------------------------------------------------------------
        PF      mov eax, [dword T_NP]
        PF      mov dword [dword T_NP + 4], 1
        mov     eax, [dword T_SUP]
        mov     dword [dword T_RO], 0xAA        ; WP = 0: supervisor writes anything
        mov     dword [dword T_SRO], 0xBB
        P       "cpl 0, wp 0: writes ok", 10
        mov     eax, cr0
        or      eax, 0x00010000                 ; WP
        mov     cr0, eax
        PF      mov dword [dword T_RO], 0xCC
        PF      mov dword [dword T_SRO], 0xCC
        mov     eax, cr0
        and     eax, ~0x00010000
        mov     cr0, eax
        mov     eax, cr4
        or      eax, 0x10                       ; PSE
        mov     cr4, eax
        PF      mov eax, [dword 0x400000]       ; reserved bit in the 4 MiB PDE
        EXPECT_EXC 0xE000, .fr                  ; fetch from a not-present page
        mov     dword [dword PTE(0xFE000)], 0
        jmp     0xE000
.fr:    P       "  cr2="
        H32     [dword CR2_AT]
        NL
        mov     dword [dword PTE(0xFE000)], 0xFE007
        invlpg  [dword 0xFE000]

        ; --- CPL 3 ------------------------------------------------------------------------
        push    word D_3
        push    word STACK3_TOP
        push    word 0x3002
        push    word C16_3
        push    word ring3
        iret
ring3:  mov     ax, D_3
        mov     ds, ax
        P       "ring 3", 10
        PF      mov eax, [dword T_SUP]
        PF      mov dword [dword T_RO], 1
        PF      mov dword [dword T_NP], 1
        PF      mov dword [dword 0x400000], 1
        mov     eax, [dword T_RO]
        VAL32   "user read of read-only page", eax
        int     0x40                            ; back to ring 0
ring0:  mov     ax, D_0
        mov     ss, ax
        mov     sp, 0x7000
        mov     ds, ax

        ; --- accessed and dirty ------------------------------------------------------------
        mov     eax, [dword PTE(T_AD)]
        and     eax, 0x60
        VAL32   "pte before", eax
        mov     eax, [dword T_AD]
        mov     eax, [dword PTE(T_AD)]
        and     eax, 0x60
        VAL32   "pte after read", eax
        mov     byte [dword T_AD], 1
        mov     eax, [dword PTE(T_AD)]
        and     eax, 0x60
        VAL32   "pte after write", eax
        mov     eax, [dword PD]
        and     eax, 0x60
        VAL32   "pde", eax

        ; --- TLB ----------------------------------------------------------------------------
        mov     eax, [dword T_MAP]
        VAL32   "map F1", eax
        mov     dword [dword PTE(T_MAP)], F2 | 0x003
        mov     eax, [dword T_MAP]
        VAL32   "stale after PTE change", eax
        invlpg  [dword T_MAP]
        mov     eax, [dword T_MAP]
        VAL32   "after invlpg", eax
        mov     dword [dword PTE(T_MAP)], F1 | 0x003
        mov     eax, cr3
        mov     cr3, eax
        mov     eax, [dword T_MAP]
        VAL32   "after cr3 load", eax
        mov     eax, cr4
        or      eax, 0x80                       ; PGE
        mov     cr4, eax
        mov     dword [dword PTE(T_MAP)], F2 | 0x103  ; global
        invlpg  [dword T_MAP]
        mov     eax, [dword T_MAP]
        VAL32   "global F2", eax
        mov     dword [dword PTE(T_MAP)], F1 | 0x103
        mov     eax, cr3
        mov     cr3, eax
        mov     eax, [dword T_MAP]
        VAL32   "stale global after cr3 load", eax
        mov     eax, cr4
        and     eax, ~0x80
        mov     cr4, eax
        or      eax, 0x80
        mov     cr4, eax
        mov     eax, [dword T_MAP]
        VAL32   "after pge toggle", eax

        ; --- segmentation before paging ------------------------------------------------------
        mov     ax, D_LIM
        mov     es, ax
        EXPECT_EXC .pf, .pr
.pf:    mov     al, [es:0x1000]                 ; beyond the limit, and T_NP
.pr:    EXPECT_DONE
        P       "done", 10
        TEST_PASS

h_pf:   push    eax                             ; record CR2, then the common handler
        mov     eax, cr2
        mov     [ss:CR2_AT], eax
        pop     eax
        jmp     pm_exc_stubs + 14 * pm_stub_len

        ROM_END
