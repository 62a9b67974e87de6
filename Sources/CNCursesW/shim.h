#ifndef GATEHOUSE_CNCURSESW_SHIM_H
#define GATEHOUSE_CNCURSESW_SHIM_H
// The wide-character API (cchar_t, get_wch, add_wch) is only declared with NCURSES_WIDECHAR; SwiftPM drops
// pkg-config's -D_XOPEN_SOURCE, so define it here, before the header.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <ncursesw/curses.h>

// Globals and macros Swift cannot use directly (Swift 6 refuses the mutable globals).
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int cnc_key_resize(void) { return KEY_RESIZE; }
static inline int cnc_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_a_bold(void) { return (int)A_BOLD; }
static inline int cnc_a_reverse(void) { return (int)A_REVERSE; }
static inline int cnc_a_underline(void) { return (int)A_UNDERLINE; }
static inline int cnc_a_dim(void) { return (int)A_DIM; }
/// The terminal size from the kernel (rows, cols); 0 on failure.
static inline int cnc_terminal_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
#endif
