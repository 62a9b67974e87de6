#ifndef GATEHOUSE_CPOSIXSHIM_H
#define GATEHOUSE_CPOSIXSHIM_H
// libc functions ChildProcess needs that Swift's Glibc module does not declare: glibc declares them only under
// _GNU_SOURCE, which the module was built without. Declared here with their C types (glibc ≥ 2.34), so the
// compiler checks every call, instead of binding symbols by name.
#include <spawn.h>

extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int pipe2(int fds[2], int flags);

static inline int gh_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
static inline int gh_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
static inline int gh_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
#endif
