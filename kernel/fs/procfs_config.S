/*
 * /proc/config.gz's bytes: kernel/linux/linux.config, gzipped by the
 * build (mk/kernel.mk) and included here as it is; procfs.c serves them.
 */
	.section .rodata
	.balign 8
	.globl procfs_config_gz
procfs_config_gz:
	.incbin "config.gz"
	.globl procfs_config_gz_end
procfs_config_gz_end:

	.section .note.GNU-stack, "", @progbits
