; paging_pae.asm - PAE paging (SDM vol. 3, 4.4): a PDPT with one present entry, 4 KiB
; and 2 MiB pages, #PF for a not-present PTE and a not-present PDPTE (error code 0 and
; CR2), a reserved bit (bit 63, reserved without NX) in a 2 MiB PDE (P + RSVD = 0009),
; the accessed and dirty bits of a 2 MiB PDE, and a MOV to CR3 whose PDPTE has a reserved
; bit set (R/W is reserved in PAE PDPTEs), which is #GP(0) because the processor loads the
; four PDPTEs with CR3 (4.4.1).
;
; QEMU 7.2 reads PDPTEs during the walk instead of at the CR3 load: it takes the MOV to
; CR3 without #GP (the s|/q| pair), and it reports P = 0 with RSVD (see paging_pf.asm).
;
; expect-exit: 1
; expect-output:
; |pae paging on
; |exc 0E err=0000 ip=ok
; |  cr2=001F0000
; |2 MiB page=ABCD1234
; |2 MiB pde after read=00000020
; |2 MiB pde after write=00000060
; s|exc 0E err=0009 ip=ok
; q|exc 0E err=0008 ip=ok
; |  cr2=00400000
; |exc 0E err=0000 ip=ok
; |  cr2=40000000
; s|exc 0D err=0000 ip=ok
; |done
;
%include "test.inc"
%include "pm.inc"

PDPT    equ 0x12000
PD0     equ 0x13000
PT0     equ 0x14000
CR2_AT  equ DATA+0x100

%macro PF 1+
        EXPECT_EXC %%f, %%r
%%f:    %1
%%r:    P       "  cr2="
        H32     [dword CR2_AT]
        NL
%endmacro

start:  TEST_INIT
        PM_ENTER
        IDT_SET 14, C16_0, h_pf, 0x86
        mov     edi, PDPT               ; clear PDPT, PD0, PT0
        xor     eax, eax
        mov     ecx, 0x3000 / 4
        a32 rep stosd
        mov     edi, PT0                ; 0-2 MiB identity, 4 KiB pages
        mov     eax, 0x007
.fill:  mov     [edi], eax
        add     eax, 0x1000
        add     edi, 8
        cmp     edi, PT0 + 4096
        jb      .fill
        mov     dword [dword PT0 + (0x1F0000 >> 12) * 8], 0     ; not present
        mov     dword [dword PD0], PT0 | 0x007
        mov     dword [dword PD0 + 8], 0x200000 | 0x087         ; 2 MiB page
        mov     dword [dword PD0 + 16], 0x400000 | 0x087        ; 2 MiB page, bit 63 set
        mov     dword [dword PD0 + 20], 0x80000000
        mov     dword [dword PDPT], PD0 | 0x001
        mov     dword [dword 0x200010], 0xABCD1234
        mov     eax, cr4
        or      eax, 0x20               ; PAE
        mov     cr4, eax
        mov     eax, PDPT
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        P       "pae paging on", 10

        PF      mov eax, [dword 0x1F0000]
        mov     eax, [dword 0x200010]
        VAL32   "2 MiB page", eax
        mov     eax, [dword PD0 + 8]
        and     eax, 0x60
        VAL32   "2 MiB pde after read", eax
        mov     byte [dword 0x200020], 1
        mov     eax, [dword PD0 + 8]
        and     eax, 0x60
        VAL32   "2 MiB pde after write", eax
        PF      mov eax, [dword 0x400000]
        PF      mov eax, [dword 0x40000000]

        mov     dword [dword PDPT + 8], PD0 | 0x003     ; R/W: reserved in a PDPTE
        mov     eax, PDPT
        EXPECT_EXC .cf, .cr
.cf:    mov     cr3, eax
.cr:    EXPECT_DONE
        mov     dword [dword PDPT + 8], 0
        mov     cr3, eax
        P       "done", 10
        TEST_PASS

h_pf:   push    eax
        mov     eax, cr2
        mov     [ss:CR2_AT], eax
        pop     eax
        jmp     pm_exc_stubs + 14 * pm_stub_len

        ROM_END
