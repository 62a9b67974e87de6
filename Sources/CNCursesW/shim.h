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
// Mouse: clicks, double clicks and the wheel (buttons 4 and 5); no motion reports.
static inline int cnc_key_mouse(void) { return KEY_MOUSE; }
static inline void cnc_enable_mouse(void) {
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(250);
}
static inline void cnc_disable_mouse(void) { mousemask(0, NULL); }
/// Reads the pending mouse event: 1 click, 2 double click, 3 wheel up, 4 wheel down, 0 anything else; -1 on error.
static inline int cnc_read_mouse(int *x, int *y) {
    MEVENT e;
    if (getmouse(&e) != OK) return -1;
    *x = e.x; *y = e.y;
    if (e.bstate & BUTTON1_DOUBLE_CLICKED) return 2;
    if (e.bstate & BUTTON1_CLICKED) return 1;
    if (e.bstate & BUTTON4_PRESSED) return 3;
    if (e.bstate & BUTTON5_PRESSED) return 4;
    return 0;
}
/// The terminal size from the kernel (rows, cols); 0 on failure.
static inline int cnc_terminal_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
// Terminal restoration on abnormal exits (used by ConsoleUI's CursesTerminal). A crash signal ends curses mode
// (so the shell gets its terminal back), then the previous handler (Swift's backtracer, or the default action)
// runs: the signal is re-raised with the old disposition restored.
#include <signal.h>
#include <stdlib.h>
#include <string.h>
// Function-local statics: Swift's importer emits functions used from Swift, not file-scope variables.
static inline struct sigaction *cnc_previous_actions(void) { static struct sigaction actions[NSIG]; return actions; }
static inline volatile sig_atomic_t *cnc_curses_active(void) { static volatile sig_atomic_t active = 0; return &active; }
static inline void cnc_set_curses_active(int active) { *cnc_curses_active() = active; }
static inline void cnc_restore_terminal_now(void) {
    if (*cnc_curses_active()) { *cnc_curses_active() = 0; endwin(); }
}
static inline void cnc_crash_handler(int sig) {
    cnc_restore_terminal_now();
    sigaction(sig, &cnc_previous_actions()[sig], NULL);
    raise(sig);
}
/// Installs handlers for SIGSEGV, SIGABRT, SIGILL, SIGTRAP, SIGBUS and SIGFPE that restore the terminal and
/// re-raise, plus an atexit hook that restores it. Idempotent.
static inline void cnc_install_restore_handlers(void) {
    static int installed = 0;
    if (installed) return;
    installed = 1;
    int sigs[] = { SIGSEGV, SIGABRT, SIGILL, SIGTRAP, SIGBUS, SIGFPE };
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = cnc_crash_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_NODEFER | SA_RESETHAND;
        sigaction(sigs[i], &sa, &cnc_previous_actions()[sigs[i]]);
    }
    atexit(cnc_restore_terminal_now);
}
static inline int cnc_key_f0(void) { return KEY_F0; }
static inline int cnc_colors(void) { return COLORS; }
/// Starts curses on the process's stdin/stdout with $TERM; NULL when the terminal is unknown (unlike initscr,
/// which exits the process).
static inline SCREEN *cnc_newterm(void) { return newterm(NULL, stdout, stdin); }
#endif
