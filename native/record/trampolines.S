/* The shim's entry points: each runs its C implementation (fred_impl_NAME) on a private stack
 * and clears the scratch registers on the way out. fred's marks fingerprint the program's stack
 * and registers, and a replayed call takes another path through the shim than the recorded one
 * did: neither may leave a trace the program could see. Only the main thread switches stacks
 * (its TLS fred_private_stack_top is set); a call made on the private stack (from a signal
 * handler, say) stays on it. x86-64 only. */

	.text

.macro TRAMPOLINE name, hidden=0
	.globl \name
	.if \hidden
	.hidden \name
	.endif
	.type \name, @function
	.p2align 4
\name:
	.cfi_startproc
	pushq %rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq %r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq %r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	movq %rsp, %rbx
	.cfi_def_cfa_register %rbx
	/* r13: the caller slot of an enclosing call, put back on the way out; then ours: the
	 * address of our return address (the C side reads who called from it). */
	movq fred_caller_slot@GOTTPOFF(%rip), %r10
	movq %fs:(%r10), %r13
	leaq 24(%rbx), %rax
	movq %rax, %fs:(%r10)
	/* r12: the private stack's top, or 0 to stay on this stack. */
	movq fred_private_stack_top@GOTTPOFF(%rip), %r11
	movq %fs:(%r11), %r12
	testq %r12, %r12
	jz 1f
	movq $0, %fs:(%r11)
	movq %r12, %rsp
1:	andq $-16, %rsp
	call fred_impl_\name
	movq fred_caller_slot@GOTTPOFF(%rip), %r10
	movq %r13, %fs:(%r10)
	testq %r12, %r12
	jz 2f
	movq fred_private_stack_top@GOTTPOFF(%rip), %r11
	movq %r12, %fs:(%r11)
2:	movq %rbx, %rsp
	.cfi_def_cfa_register %rsp
	popq %r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	popq %r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq %rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	/* rax holds the result; the other scratch registers hold nothing. */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	ret
	.cfi_endproc
	.size \name, .-\name
.endm

	TRAMPOLINE time
	TRAMPOLINE gettimeofday
	TRAMPOLINE clock_gettime
	TRAMPOLINE timespec_get
	TRAMPOLINE clock
	TRAMPOLINE getrandom
	TRAMPOLINE getentropy
	TRAMPOLINE arc4random
	TRAMPOLINE arc4random_uniform
	TRAMPOLINE arc4random_buf
	TRAMPOLINE getpid
	TRAMPOLINE getppid
	TRAMPOLINE fork
	TRAMPOLINE recv
	TRAMPOLINE recvfrom
	TRAMPOLINE recvmsg
	/* libc's own read() and write() jump here (libc-patch.c). */
	TRAMPOLINE fred_read, 1
	TRAMPOLINE fred_write, 1

	.section .note.GNU-stack,"",@progbits
