/*
 * no_io_uring - run a command in a process where io_uring cannot be used,
 * as in a container whose seccomp profile blocks it (recent Docker
 * defaults do): io_uring_setup fails with EPERM, everything else works.
 *
 *     tests/tools/no_io_uring COMMAND [ARG...]
 *
 * The tests use it to check what step05 does without io_uring: say why in
 * one line and exit 2, and be skipped with that reason. A seccomp filter
 * is a small program the kernel runs on every system call of this process
 * and its children (they inherit it, and cannot remove it); this one
 * compares the call's number with io_uring_setup's and answers EPERM
 * without running it. The numbers are this machine's own (the filter is
 * built for the architecture it runs on; calls made through a 32-bit
 * compatibility layer are not filtered, and our servers make none).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
        return 2;
    }
    struct sock_filter filter[] = {
        /* Load the system call's number... */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* ... if it is io_uring_setup, go to the next instruction, else skip it ... */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        /* ... which fails the call with EPERM; the last allows any other. */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    /* Without privileges, a filter may only be installed by a process that
     * has given up gaining any (set-user-ID programs then run without). */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        perror("prctl PR_SET_NO_NEW_PRIVS");
        return 1;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) < 0) {
        perror("prctl PR_SET_SECCOMP");
        return 1;
    }
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
