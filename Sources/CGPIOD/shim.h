#ifndef TREADD_CGPIOD_SHIM_H
#define TREADD_CGPIOD_SHIM_H
#include <errno.h>
#include <gpiod.h>

/* errno after a failed libgpiod call, read in C so no Swift runtime call can clobber it first. */
static inline int cgpiod_errno(void) { return errno; }
#endif
