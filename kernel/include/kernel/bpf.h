/*
 * Classic BPF (Linux's struct sock_filter programs), as seccomp filters
 * use it: a checker that accepts only programs whose every path ends in a
 * return and whose loads stay inside the data, and an interpreter
 * (kernel/linux/seccomp_bpf.c). Portable: the host unit test runs both.
 */
#ifndef KERNEL_BPF_H
#define KERNEL_BPF_H

#include <kernel/types.h>

/* Linux's struct sock_filter. */
struct bpf_insn_k {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

#define BPF_MAXINSNS 4096	/* Linux's limit on one program */

/*
 * Checks prog (len instructions) as Linux's seccomp_check_filter and
 * bpf_check_classic: only loads of aligned 32-bit words below data_len,
 * arithmetic, scratch memory, forward jumps inside the program and
 * returns; the last instruction returns; no division by a constant 0.
 * Rewrites a load of the data's length into a load of data_len.
 * Returns 0 or -EINVAL.
 */
int bpf_check(struct bpf_insn_k *prog, unsigned len, uint32_t data_len);

/*
 * Runs a program bpf_check accepted over data (data_len bytes, 32-bit
 * aligned); returns what its RET instruction returns.
 */
uint32_t bpf_run(const struct bpf_insn_k *prog, const void *data,
		 uint32_t data_len);

#endif
