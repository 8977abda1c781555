/*
 * Unit test of the classic BPF checker and interpreter seccomp filters
 * run on (kernel/linux/seccomp_bpf.c): what the checker refuses, and
 * the answers of small programs over a seccomp_data-shaped block,
 * including arithmetic, scratch memory and every jump.
 */
#include <kernel/types.h>
#include <kernel/bpf.h>
#include <kernel/errno.h>

#include "check.h"

#define I(code, jt, jf, k) ((struct bpf_insn_k){ (code), (jt), (jf), (k) })
#define LD_ABS(off) I(0x20, 0, 0, (off))
#define LD_IMM(k) I(0x00, 0, 0, (k))
#define LD_LEN I(0x80, 0, 0, 0)
#define LDX_IMM(k) I(0x01, 0, 0, (k))
#define ST(k) I(0x02, 0, 0, (k))
#define LD_MEM(k) I(0x60, 0, 0, (k))
#define ALU_K(op, k) I(0x04 | (op), 0, 0, (k))
#define ALU_X(op) I(0x0c | (op), 0, 0, 0)
#define JEQ(k, t, f) I(0x15, (t), (f), (k))
#define JGT(k, t, f) I(0x25, (t), (f), (k))
#define JSET(k, t, f) I(0x45, (t), (f), (k))
#define JA(k) I(0x05, 0, 0, (k))
#define RET_K(k) I(0x06, 0, 0, (k))
#define RET_A I(0x16, 0, 0, 0)
#define TAX I(0x07, 0, 0, 0)
#define TXA I(0x87, 0, 0, 0)

static const uint32_t data[16] = { 39, 0xc000003e, 0x1000, 0, 7, 0, 8 };

static uint32_t
run(struct bpf_insn_k *p, unsigned n)
{
	CHECK_EQ(bpf_check(p, n, sizeof(data)), 0);
	return bpf_run(p, data, sizeof(data));
}

static void
test_refused(void)
{
	struct bpf_insn_k far[] = { JA(1), RET_K(0) };
	struct bpf_insn_k cond[] = { JEQ(0, 0, 1), RET_K(0) };
	struct bpf_insn_k odd[] = { LD_ABS(2), RET_K(0) };
	struct bpf_insn_k past[] = { LD_ABS(64), RET_K(0) };
	struct bpf_insn_k no_ret[] = { LD_IMM(0) };
	struct bpf_insn_k div0[] = { ALU_K(0x30, 0), RET_K(0) };
	struct bpf_insn_k shift[] = { ALU_K(0x60, 32), RET_K(0) };
	struct bpf_insn_k mem[] = { ST(16), RET_K(0) };
	struct bpf_insn_k byte[] = { I(0x30, 0, 0, 0), RET_K(0) };
	struct bpf_insn_k ret_x[] = { I(0x0e, 0, 0, 0) };

	CHECK_EQ(bpf_check(far, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(cond, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(odd, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(past, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(no_ret, 1, 64), -EINVAL);
	CHECK_EQ(bpf_check(div0, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(shift, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(mem, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(byte, 2, 64), -EINVAL);
	CHECK_EQ(bpf_check(ret_x, 1, 64), -EINVAL);
	CHECK_EQ(bpf_check(far, 0, 64), -EINVAL);
	CHECK_EQ(bpf_check(far, BPF_MAXINSNS + 1, 64), -EINVAL);
}

static void
test_run(void)
{
	struct bpf_insn_k nr[] = { LD_ABS(0), JEQ(39, 0, 1), RET_K(0x50001),
				   RET_K(0x7fff0000) };
	CHECK_EQ(run(nr, 4), 0x50001);
	struct bpf_insn_k arch[] = { LD_ABS(4), JEQ(0xc000003e, 1, 0),
				     RET_K(0), RET_K(1) };
	CHECK_EQ(run(arch, 4), 1);
	/* (arg0 * 3 + 1) << 2, through X and a scratch word */
	struct bpf_insn_k math[] = { LD_ABS(16), ST(3), LDX_IMM(3),
				     LD_MEM(3), ALU_X(0x20), ALU_K(0x00, 1),
				     ALU_K(0x60, 2), RET_A };
	CHECK_EQ(run(math, 8), (7 * 3 + 1) << 2);
	struct bpf_insn_k len[] = { LD_LEN, RET_A };
	CHECK_EQ(run(len, 2), sizeof(data));
	struct bpf_insn_k jumps[] = { LD_ABS(24), JGT(7, 0, 2), JSET(1, 1, 0),
				      JA(1), RET_K(10), RET_K(20) };
	CHECK_EQ(run(jumps, 6), 20);	/* 8 > 7, bit 0 clear: JA */
	/* A division by X == 0 returns 0, as Linux's classic BPF. */
	struct bpf_insn_k divx[] = { LD_IMM(5), LDX_IMM(0), ALU_X(0x30),
				     RET_K(9) };
	CHECK_EQ(run(divx, 4), 0);
	struct bpf_insn_k swap[] = { LD_IMM(4), TAX, LD_IMM(1), TXA, RET_A };
	CHECK_EQ(run(swap, 5), 4);
	struct bpf_insn_k neg[] = { LD_IMM(1), ALU_K(0x80, 0), RET_A };
	CHECK_EQ(run(neg, 3), 0xffffffff);
}

int
main(void)
{
	test_refused();
	test_run();
	return check_done("test_bpf");
}
