; shifts.asm - SHL/SAL SHR SAR ROL ROR RCL RCR (by 1: D0/D1, by CL: D2/D3, by imm8:
; C0/C1, register and memory), SHLD/SHRD (0F A4/A5/AC/AD), in 8, 16 and 32 bits.
; The count is masked to 5 bits; ROL/ROR of 8/16 bits then rotate by count mod 8/16,
; RCL/RCR by count mod 9/17.
;
; Line: "<op><bits> value[,src] n=<count> f<flags in> = result fl=<flags>"; flags in are
; 0002 (f0) or 08D7 (f1). Flags shown, per the SDM:
;   masked count 0: every flag is unaffected (all six shown);
;   shifts: SF ZF PF and CF; OF only for count 1; AF never; CF not for SHL/SHR with
;           count >= width (SHLD/SHRD: count > width);
;   rotates: CF; OF only for count 1; SF ZF AF PF are unaffected (shown);
;   SHLD/SHRD: like shifts; counts above the width (undefined) are not tested.
; 16-bit SHLD/SHRD by exactly 16 define CF: BIT[DEST, SIZE-COUNT] (SHLD) / BIT[DEST,
; COUNT-1] (SHRD), i.e. dest bit 0 / bit 15 (SDM; QEMU 7.2 and the host CPU agree).
;
; expect-exit: 1
; expect-output:
; |shl16 8001 n=01 f0 one = 0002 fl=0801
; |shl16 4000 n=01 f0 one = 8000 fl=0884
; |shl16 00FF n=04 f1 imm = 0FF0 fl=0004
; |shl16 8000 n=10 f0 = 0000 fl=0044
; |shl16 1234 n=21 f0 = 2468 fl=0000
; |shl16 1234 n=20 f1 = 1234 fl=08D5
; |shl16 00FF n=14 f0 = 0000 fl=0044
; |shl8 81 n=01 f0 one = 02 fl=0801
; |shl8 01 n=07 f0 = 80 fl=0080
; |shl8 01 n=08 f1 = 00 fl=0044
; |shl8 03 n=09 f0 = 00 fl=0044
; |shl32 80000001 n=01 f0 one = 00000002 fl=0801
; |shl32 00000001 n=1F f0 imm = 80000000 fl=0084
; |shl32 00000001 n=20 f1 = 00000001 fl=08D5
; |shl32 00000001 n=3F f0 = 80000000 fl=0084
; |sal16 C000 n=01 f1 one = 8000 fl=0085
; |shr16 8001 n=01 f0 one = 4000 fl=0805
; |shr16 0001 n=01 f0 one = 0000 fl=0045
; |shr16 FFFF n=0F f0 = 0001 fl=0001
; |shr16 FFFF n=10 f0 = 0000 fl=0044
; |shr8 80 n=07 f1 imm = 01 fl=0000
; |shr8 80 n=08 f0 = 00 fl=0044
; |shr32 80000000 n=1F f0 = 00000001 fl=0000
; |shr32 87654321 n=24 f0 imm = 08765432 fl=0000
; |sar16 8000 n=01 f0 one = C000 fl=0084
; |sar16 8000 n=0F f0 = FFFF fl=0084
; |sar16 8000 n=10 f0 = FFFF fl=0085
; |sar16 8001 n=1F f0 = FFFF fl=0085
; |sar16 4000 n=14 f1 = 0000 fl=0044
; |sar8 80 n=09 f0 = FF fl=0085
; |sar8 7F n=01 f1 one = 3F fl=0005
; |sar32 80000000 n=1F f0 imm = FFFFFFFF fl=0084
; |sar32 7FFFFFFF n=1E f0 = 00000001 fl=0001
; |sar32 80000000 n=20 f0 = 80000000 fl=0000
; |rol16 8001 n=01 f0 one = 0003 fl=0801
; |rol16 1234 n=04 f1 = 2341 fl=00D5
; |rol16 1235 n=10 f0 = 1235 fl=0001
; |rol16 1234 n=14 f1 imm = 2341 fl=00D5
; |rol8 81 n=01 f1 one = 03 fl=08D5
; |rol8 81 n=08 f0 = 81 fl=0001
; |rol8 81 n=09 f0 = 03 fl=0001
; |rol32 80000001 n=1F f0 = C0000000 fl=0000
; |rol32 80000001 n=20 f0 = 80000001 fl=0000
; |rol32 40000000 n=01 f1 one = 80000000 fl=08D4
; |ror16 0001 n=01 f0 one = 8000 fl=0801
; |ror16 1234 n=04 f0 imm = 4123 fl=0000
; |ror16 8234 n=10 f1 = 8234 fl=00D5
; |ror8 80 n=08 f0 = 80 fl=0001
; |ror8 02 n=02 f1 = 80 fl=00D5
; |ror32 00000003 n=21 f0 = 80000001 fl=0801
; |ror32 00000002 n=01 f0 one = 00000001 fl=0000
; |rcl16 8000 n=01 f0 one = 0000 fl=0801
; |rcl16 0001 n=01 f1 one = 0003 fl=00D4
; |rcl16 8000 n=11 f1 = 8000 fl=00D5
; |rcl16 1234 n=1F f0 = 0246 fl=0001
; |rcl8 80 n=09 f1 = 80 fl=00D5
; |rcl8 80 n=0A f0 imm = 00 fl=0001
; |rcl8 40 n=01 f0 one = 80 fl=0800
; |rcl32 80000000 n=1F f1 = 60000000 fl=00D4
; |rcl32 80000000 n=01 f1 one = 00000001 fl=08D5
; |rcr8 01 n=01 f1 one = 80 fl=08D5
; |rcr8 55 n=09 f0 = 55 fl=0000
; |rcr8 55 n=0D f1 = B5 fl=00D4
; |rcr16 0001 n=11 f0 = 0001 fl=0000
; |rcr16 1234 n=03 f1 imm = 2246 fl=00D5
; |rcr32 80000001 n=01 f1 one = C0000000 fl=00D5
; |rcr32 00000001 n=20 f1 = 00000001 fl=08D5
; |shld16 1234,5678 n=04 f0 = 2345 fl=0001
; |shld16 1235,5678 n=10 f1 = 5678 fl=0005
; |shld16 4000,8000 n=01 f0 = 8001 fl=0880
; |shld16 1234,5678 n=00 f1 = 1234 fl=08D5
; |shld16 8000,0000 n=0F f0 imm = 0000 fl=0044
; |shld32 12345678,9ABCDEF0 n=08 f0 = 3456789A fl=0004
; |shld32 12345679,9ABCDEF0 n=1F f1 imm = CD5E6F78 fl=0084
; |shld32 12345678,9ABCDEF0 n=20 f1 = 12345678 fl=08D5
; |shld32 42345678,9ABCDEF0 n=21 f0 = 8468ACF1 fl=0880
; |shrd16 1234,5678 n=04 f0 = 8123 fl=0080
; |shrd16 0001,0001 n=01 f0 imm = 8000 fl=0885
; |shrd16 8000,FFFF n=10 f0 = FFFF fl=0085
; |shrd32 12345678,9ABCDEF0 n=08 f1 = F0123456 fl=0084
; |shrd32 00000001,00000000 n=01 f0 = 00000000 fl=0045
; |shrd32 80000000,00000001 n=1F f0 imm = 00000003 fl=0004
; |shrd32 12345678,9ABCDEF0 n=28 f0 = F0123456 fl=0084
; |C1/4 01 dx=8002 fl=0880
; |shl m16,1=0842 fl=0805
; |rcr m8,cl=08A8 fl=00C0
; |sar m32,4=F8000000 fl=0084
; |shld m32,eax,cl=23344AAB fl=0000
; |shrd m16,ax,8=23DD34AB fl=0080
; |ror chain ecx=78126534
;
%include "test.inc"

; SHMASK op, bits, count -> SH_MASK
%macro SHMASK 3
%assign SH_MC (%3) & 31
%ifidni %1, rol
 %assign SH_ROT 1
%elifidni %1, ror
 %assign SH_ROT 1
%elifidni %1, rcl
 %assign SH_ROT 1
%elifidni %1, rcr
 %assign SH_ROT 1
%else
 %assign SH_ROT 0
%endif
%if SH_MC == 0
 %assign SH_MASK 0x08D5
%elif SH_ROT
 %assign SH_MASK 0x00D5 | ((SH_MC == 1) * 0x0800)
%else
 %assign SH_MASK 0x00C5 | ((SH_MC == 1) * 0x0800)
 %ifidni %1, sar
 %elifidni %1, shld
  %if SH_MC > %2
   %assign SH_MASK SH_MASK & ~1   ; SHLD/SHRD: CF undefined only above the width (SDM)
  %endif
 %elifidni %1, shrd
  %if SH_MC > %2
   %assign SH_MASK SH_MASK & ~1
  %endif
 %elif SH_MC >= %2
  %assign SH_MASK SH_MASK & ~1
 %endif
%endif
%endmacro

; SH op, bits, value, count, f [, form: cl (default), imm, one]
%macro SH 5-6 cl
%defstr SH_NAME %1
        SHMASK  %1, %2, %4
        P       SH_NAME
%if %2 == 8
        P       "8 "
        H8      %3
%elif %2 == 16
        P       "16 "
        H16     %3
%else
        P       "32 "
        H32     %3
%endif
        P       " n="
        H8      %4
        P       " f", '0' + (%5)
%ifidni %6, imm
        P       " imm"
%elifidni %6, one
        P       " one"
%endif
        P       " = "
        mov     cl, %4
        push    word 0x0002 | ((%5) * 0x08D5)
        popf
%if %2 == 8
        mov     dl, %3
 %ifidni %6, cl
        %1      dl, cl
 %elifidni %6, imm
        %1      dl, byte %4
 %else
        %1      dl, 1
 %endif
        pushf
        H8      dl
%elif %2 == 16
        mov     dx, %3
 %ifidni %6, cl
        %1      dx, cl
 %elifidni %6, imm
        %1      dx, byte %4
 %else
        %1      dx, 1
 %endif
        pushf
        H16     dx
%else
        mov     edx, %3
 %ifidni %6, cl
        %1      edx, cl
 %elifidni %6, imm
        %1      edx, byte %4
 %else
        %1      edx, 1
 %endif
        pushf
        H32     edx
%endif
        FL      SH_MASK
        NL
%endmacro

; SHD op, bits, dest, src, count, f [, form: cl (default) or imm]
%macro SHD 6-7 cl
%defstr SH_NAME %1
        SHMASK  %1, %2, %5
        P       SH_NAME
%if %2 == 16
        P       "16 "
        H16     %3
        P       ","
        H16     %4
%else
        P       "32 "
        H32     %3
        P       ","
        H32     %4
%endif
        P       " n="
        H8      %5
        P       " f", '0' + (%6)
%ifidni %7, imm
        P       " imm"
%endif
        P       " = "
        mov     cl, %5
        push    word 0x0002 | ((%6) * 0x08D5)
        popf
%if %2 == 16
        mov     dx, %3
        mov     bx, %4
 %ifidni %7, cl
        %1      dx, bx, cl
 %else
        %1      dx, bx, %5
 %endif
        pushf
        H16     dx
%else
        mov     edx, %3
        mov     ebx, %4
 %ifidni %7, cl
        %1      edx, ebx, cl
 %else
        %1      edx, ebx, %5
 %endif
        pushf
        H32     edx
%endif
        FL      SH_MASK
        NL
%endmacro

start:  TEST_INIT

        SH      shl, 16, 0x8001, 1, 0, one
        SH      shl, 16, 0x4000, 1, 0, one
        SH      shl, 16, 0x00FF, 4, 1, imm
        SH      shl, 16, 0x8000, 16, 0
        SH      shl, 16, 0x1234, 33, 0
        SH      shl, 16, 0x1234, 32, 1
        SH      shl, 16, 0x00FF, 20, 0
        SH      shl, 8,  0x81, 1, 0, one
        SH      shl, 8,  0x01, 7, 0
        SH      shl, 8,  0x01, 8, 1
        SH      shl, 8,  0x03, 9, 0
        SH      shl, 32, 0x80000001, 1, 0, one
        SH      shl, 32, 0x00000001, 31, 0, imm
        SH      shl, 32, 0x00000001, 32, 1
        SH      shl, 32, 0x00000001, 63, 0
        SH      sal, 16, 0xC000, 1, 1, one
        SH      shr, 16, 0x8001, 1, 0, one
        SH      shr, 16, 0x0001, 1, 0, one
        SH      shr, 16, 0xFFFF, 15, 0
        SH      shr, 16, 0xFFFF, 16, 0
        SH      shr, 8,  0x80, 7, 1, imm
        SH      shr, 8,  0x80, 8, 0
        SH      shr, 32, 0x80000000, 31, 0
        SH      shr, 32, 0x87654321, 36, 0, imm
        SH      sar, 16, 0x8000, 1, 0, one
        SH      sar, 16, 0x8000, 15, 0
        SH      sar, 16, 0x8000, 16, 0
        SH      sar, 16, 0x8001, 31, 0
        SH      sar, 16, 0x4000, 20, 1
        SH      sar, 8,  0x80, 9, 0
        SH      sar, 8,  0x7F, 1, 1, one
        SH      sar, 32, 0x80000000, 31, 0, imm
        SH      sar, 32, 0x7FFFFFFF, 30, 0
        SH      sar, 32, 0x80000000, 32, 0

        SH      rol, 16, 0x8001, 1, 0, one
        SH      rol, 16, 0x1234, 4, 1
        SH      rol, 16, 0x1235, 16, 0
        SH      rol, 16, 0x1234, 20, 1, imm
        SH      rol, 8,  0x81, 1, 1, one
        SH      rol, 8,  0x81, 8, 0
        SH      rol, 8,  0x81, 9, 0
        SH      rol, 32, 0x80000001, 31, 0
        SH      rol, 32, 0x80000001, 32, 0
        SH      rol, 32, 0x40000000, 1, 1, one
        SH      ror, 16, 0x0001, 1, 0, one
        SH      ror, 16, 0x1234, 4, 0, imm
        SH      ror, 16, 0x8234, 16, 1
        SH      ror, 8,  0x80, 8, 0
        SH      ror, 8,  0x02, 2, 1
        SH      ror, 32, 0x00000003, 33, 0
        SH      ror, 32, 0x00000002, 1, 0, one
        SH      rcl, 16, 0x8000, 1, 0, one
        SH      rcl, 16, 0x0001, 1, 1, one
        SH      rcl, 16, 0x8000, 17, 1
        SH      rcl, 16, 0x1234, 31, 0
        SH      rcl, 8,  0x80, 9, 1
        SH      rcl, 8,  0x80, 10, 0, imm
        SH      rcl, 8,  0x40, 1, 0, one
        SH      rcl, 32, 0x80000000, 31, 1
        SH      rcl, 32, 0x80000000, 1, 1, one
        SH      rcr, 8,  0x01, 1, 1, one
        SH      rcr, 8,  0x55, 9, 0
        SH      rcr, 8,  0x55, 13, 1
        SH      rcr, 16, 0x0001, 17, 0
        SH      rcr, 16, 0x1234, 3, 1, imm
        SH      rcr, 32, 0x80000001, 1, 1, one
        SH      rcr, 32, 0x00000001, 32, 1

        SHD     shld, 16, 0x1234, 0x5678, 4, 0
        SHD     shld, 16, 0x1235, 0x5678, 16, 1
        SHD     shld, 16, 0x4000, 0x8000, 1, 0
        SHD     shld, 16, 0x1234, 0x5678, 0, 1
        SHD     shld, 16, 0x8000, 0x0000, 15, 0, imm
        SHD     shld, 32, 0x12345678, 0x9ABCDEF0, 8, 0
        SHD     shld, 32, 0x12345679, 0x9ABCDEF0, 31, 1, imm
        SHD     shld, 32, 0x12345678, 0x9ABCDEF0, 32, 1
        SHD     shld, 32, 0x42345678, 0x9ABCDEF0, 33, 0
        SHD     shrd, 16, 0x1234, 0x5678, 4, 0
        SHD     shrd, 16, 0x0001, 0x0001, 1, 0, imm
        SHD     shrd, 16, 0x8000, 0xFFFF, 16, 0
        SHD     shrd, 32, 0x12345678, 0x9ABCDEF0, 8, 1
        SHD     shrd, 32, 0x00000001, 0x00000000, 1, 0
        SHD     shrd, 32, 0x80000000, 0x00000001, 31, 0, imm
        SHD     shrd, 32, 0x12345678, 0x9ABCDEF0, 40, 0

; Other encodings and memory operands.
        mov     dx, 0x4001
        clc
        db      0xC1, 0xE2, 0x01        ; C1 /4 ib with count 1 (not D1): OF defined too
        RES16   "C1/4 01 dx", dx, 0x08C5
        mov     word [DATA], 0x8421
        shl     word [DATA], 1
        RES16   "shl m16,1", [DATA], 0x08C5
        mov     cl, 3
        push    word 0x00C3             ; SF ZF CF set: SZP must survive the rotate
        popf
        rcr     byte [DATA], cl
        RES16   "rcr m8,cl", [DATA], 0x00D5
        mov     dword [DATA], 0x80000000
        sar     dword [DATA], 4
        RES32   "sar m32,4", [DATA], 0x00C5
        mov     dword [DATA], 0x11223344
        mov     eax, 0xAABBCCDD
        mov     cl, 12
        shld    [DATA], eax, cl
        RES32   "shld m32,eax,cl", [DATA], 0x00C5
        shrd    [DATA+1], ax, 8
        RES32   "shrd m16,ax,8", [DATA], 0x00C5
        mov     ecx, 0x12345678
        ror     ecx, 8
        ror     cx, 8
        ror     ch, 4
        VAL32   "ror chain ecx", ecx

        TEST_PASS
        ROM_END
