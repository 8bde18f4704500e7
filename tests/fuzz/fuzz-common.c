/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

/* The code under test may log warnings about bad input (that is its job);
 * criticals mean a g_return_if_fail() tripped, which is a bug on one side or
 * the other, so they abort like a crash. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  return 0;
}

void
fuzz_fail (const char *where,
           const char *condition,
           const char *format,
           ...)
{
  va_list args;

  fprintf (stderr, "%s: check failed: %s\n  ", where, condition);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

char **
fuzz_split_fields (const uint8_t *data,
                   size_t         size,
                   guint          n,
                   gsize         *lengths)
{
  char **fields = g_new0 (char *, n + 1);
  size_t pos = 0;

  for (guint i = 0; i < n; i++)
    {
      size_t end = size;

      if (pos > size)
        pos = size;
      if (i + 1 < n && pos < size)
        {
          const uint8_t *nl = memchr (data + pos, '\n', size - pos);
          if (nl != NULL)
            end = (size_t) (nl - data);
        }
      /* Raw bytes (NULs included) plus a terminator. */
      fields[i] = g_malloc (end - pos + 1);
      if (end > pos)
        memcpy (fields[i], data + pos, end - pos);
      fields[i][end - pos] = '\0';
      if (lengths != NULL)
        lengths[i] = end - pos;
      pos = end + 1;
    }
  return fields;
}
