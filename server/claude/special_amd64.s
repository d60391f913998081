#include "textflag.h"

// func markSpecialAVX2(dst *uint64, b *byte, n int)
//
// Per 64 bytes: compare two 32-byte halves with '"' and with '\\', and
// gather the byte masks into one 64-bit word, bit i for byte i.
TEXT ·markSpecialAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ $0x22, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y0 // '"'
	MOVQ $0x5c, AX
	MOVQ AX, X1
	VPBROADCASTB X1, Y1 // '\\'

loop:
	TESTQ CX, CX
	JZ    done
	VMOVDQU (SI), Y2
	VMOVDQU 32(SI), Y3
	VPCMPEQB Y0, Y2, Y4
	VPCMPEQB Y1, Y2, Y5
	VPOR     Y4, Y5, Y4
	VPCMPEQB Y0, Y3, Y6
	VPCMPEQB Y1, Y3, Y7
	VPOR     Y6, Y7, Y6
	VPMOVMSKB Y4, AX
	VPMOVMSKB Y6, DX
	SHLQ $32, DX
	ORQ  DX, AX
	MOVQ AX, (DI)
	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JMP  loop

done:
	VZEROUPPER
	RET
