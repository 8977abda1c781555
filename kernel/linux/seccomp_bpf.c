/*
 * Classic BPF for seccomp filters: the checker and the interpreter. Only
 * forward jumps exist, so a program runs at most len instructions; what
 * the checker lets through cannot read outside the data or the sixteen
 * scratch words.
 */
#include <kernel/bpf.h>
#include <kernel/errno.h>

/* Instruction classes and fields, as <linux/bpf_common.h>. */
#define BPF_CLASS(c) ((c) & 0x07)
#define BPF_LD 0x00
#define BPF_LDX 0x01
#define BPF_ST 0x02
#define BPF_STX 0x03
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_RET 0x06
#define BPF_MISC 0x07
#define BPF_W 0x00
#define BPF_IMM 0x00
#define BPF_ABS 0x20
#define BPF_MEM 0x60
#define BPF_LEN 0x80
#define BPF_OP(c) ((c) & 0xf0)
#define BPF_ADD 0x00
#define BPF_SUB 0x10
#define BPF_MUL 0x20
#define BPF_DIV 0x30
#define BPF_OR 0x40
#define BPF_AND 0x50
#define BPF_LSH 0x60
#define BPF_RSH 0x70
#define BPF_NEG 0x80
#define BPF_MOD 0x90
#define BPF_XOR 0xa0
#define BPF_JA 0x00
#define BPF_JEQ 0x10
#define BPF_JGT 0x20
#define BPF_JGE 0x30
#define BPF_JSET 0x40
#define BPF_K 0x00
#define BPF_X 0x08
#define BPF_A 0x10
#define BPF_TAX 0x00
#define BPF_TXA 0x80
#define BPF_MEMWORDS 16

static bool
alu_ok(const struct bpf_insn_k *in)
{
	unsigned op = BPF_OP(in->code);
	if (in->code & ~(0xf0 | BPF_X | 0x07))
		return false;
	if (op > BPF_XOR)
		return false;
	if (op == BPF_NEG)
		return (in->code & BPF_X) == 0;
	if (in->code & BPF_X)
		return true;
	if ((op == BPF_DIV || op == BPF_MOD) && in->k == 0)
		return false;
	return !((op == BPF_LSH || op == BPF_RSH) && in->k >= 32);
}

static bool
jump_ok(const struct bpf_insn_k *in, unsigned pc, unsigned len)
{
	unsigned op = BPF_OP(in->code);
	unsigned left = len - pc - 1;	/* instructions after this one */
	if (in->code & ~(0xf0 | BPF_X | 0x07) || op > BPF_JSET)
		return false;
	if (op == BPF_JA)
		return in->code == (BPF_JMP | BPF_JA) && in->k < left;
	return in->jt < left && in->jf < left;
}

/* One instruction: 0 or -EINVAL. */
static int
check_one(struct bpf_insn_k *in, unsigned pc, unsigned len, uint32_t data_len)
{
	switch (in->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return in->k < data_len && (in->k & 3) == 0 ? 0 : -EINVAL;
	case BPF_LD | BPF_W | BPF_LEN:
		in->code = BPF_LD | BPF_IMM;
		in->k = data_len;
		return 0;
	case BPF_LDX | BPF_W | BPF_LEN:
		in->code = BPF_LDX | BPF_IMM;
		in->k = data_len;
		return 0;
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
		return 0;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return in->k < BPF_MEMWORDS ? 0 : -EINVAL;
	}
	if (BPF_CLASS(in->code) == BPF_ALU)
		return alu_ok(in) ? 0 : -EINVAL;
	if (BPF_CLASS(in->code) == BPF_JMP)
		return jump_ok(in, pc, len) ? 0 : -EINVAL;
	return -EINVAL;
}

int
bpf_check(struct bpf_insn_k *prog, unsigned len, uint32_t data_len)
{
	if (len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned pc = 0; pc < len; pc++) {
		int e = check_one(&prog[pc], pc, len, data_len);
		if (e < 0)
			return e;
	}
	return BPF_CLASS(prog[len - 1].code) == BPF_RET ? 0 : -EINVAL;
}

static uint32_t
alu(unsigned op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_ADD: return a + v;
	case BPF_SUB: return a - v;
	case BPF_MUL: return a * v;
	case BPF_DIV: return a / v;
	case BPF_MOD: return a % v;
	case BPF_OR: return a | v;
	case BPF_AND: return a & v;
	case BPF_XOR: return a ^ v;
	case BPF_LSH: return a << (v & 31);
	case BPF_RSH: return a >> (v & 31);
	case BPF_NEG: return -a;
	}
	return a;
}

static bool
jump_taken(unsigned op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ: return a == v;
	case BPF_JGT: return a > v;
	case BPF_JGE: return a >= v;
	case BPF_JSET: return (a & v) != 0;
	}
	return false;
}

uint32_t
bpf_run(const struct bpf_insn_k *prog, const void *data, uint32_t data_len)
{
	const uint32_t *words = data;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	(void)data_len;		/* bpf_check kept every load inside */

	for (unsigned pc = 0;; pc++) {
		const struct bpf_insn_k *in = &prog[pc];
		uint32_t v = (in->code & BPF_X) ? x : in->k;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			a = in->code == (BPF_LD | BPF_W | BPF_ABS) ? words[in->k / 4] :
			    in->code == (BPF_LD | BPF_MEM) ? mem[in->k] : in->k;
			break;
		case BPF_LDX:
			x = in->code == (BPF_LDX | BPF_MEM) ? mem[in->k] : in->k;
			break;
		case BPF_ST:
			mem[in->k] = a;
			break;
		case BPF_STX:
			mem[in->k] = x;
			break;
		case BPF_ALU:
			/* Linux's classic BPF: a division by X == 0 returns 0. */
			if ((BPF_OP(in->code) == BPF_DIV ||
			     BPF_OP(in->code) == BPF_MOD) && v == 0)
				return 0;
			a = alu(BPF_OP(in->code), a, v);
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA)
				pc += in->k;
			else
				pc += jump_taken(BPF_OP(in->code), a, v) ? in->jt : in->jf;
			break;
		case BPF_RET:
			return (in->code & BPF_A) ? a : in->k;
		case BPF_MISC:
			if (in->code == (BPF_MISC | BPF_TAX))
				x = a;
			else
				a = x;
			break;
		}
	}
}
