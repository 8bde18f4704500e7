/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer's entry points; fuzz-main.c calls them in builds without it. */
int LLVMFuzzerInitialize   (int      *argc,
                            char   ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A failed property: print what broke and abort, which libFuzzer reports as
 * a crash and saves the input, and which fails the standalone test. */
#define FUZZ_CHECK(cond, ...)                                          \
  G_STMT_START {                                                       \
    if (G_UNLIKELY (!(cond)))                                          \
      fuzz_fail (G_STRLOC, #cond, __VA_ARGS__);                        \
  } G_STMT_END

G_NORETURN void fuzz_fail (const char *where,
                           const char *condition,
                           const char *format,
                           ...) G_GNUC_PRINTF (3, 4);

/* Splits the input at '\n' into exactly `n` NUL-terminated fields; the last
 * takes the rest of the input (newlines included). Missing fields are "".
 * `lengths` (may be NULL) receives each field's length. */
char **fuzz_split_fields (const uint8_t *data,
                          size_t         size,
                          guint          n,
                          gsize         *lengths);

G_END_DECLS
