/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What CarePay writes for a patient (e-mail, PDF receipts and statements)
 * is in the patient's language ("en" or "es", cp_mail_language_for()), not
 * the program's. These switch the calling thread only, with uselocale():
 * glibc's gettext, localeconv() and so cp_money_format() follow it, so a
 * worker thread can render a Spanish receipt while the UI stays English.
 * (gettext puts a LANGUAGE environment variable before the locale, so
 * LANGUAGE=en set for the whole session would keep Spanish documents in
 * English; English ones use the C locale's messages and are never affected.) */
typedef struct _CpLanguageScope CpLanguageScope;

/* From now on, this thread's messages, numbers and money in `lang`; NULL
 * if no locale for it is installed (nothing changes then). */
CpLanguageScope *cp_language_scope_push  (const char      *lang);
/* Back to the thread's previous locale. NULL is allowed. */
void             cp_language_scope_pop   (CpLanguageScope *scope);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpLanguageScope, cp_language_scope_pop)

/* "November 22, 2026" / "22 de noviembre de 2026" for "2026-11-22"; the text
 * itself when it is not a date; "" for NULL. */
char            *cp_language_format_date (const char      *iso_date,
                                          const char      *lang);
/* The same, short, for table cells: "Nov 22, 2026" / "22 nov 2026". */
char            *cp_language_format_date_short (const char *iso_date,
                                                const char *lang);
/* An ISO 8601 UTC time ("2026-11-18T15:04:05Z") in the local time zone (the
 * hospital's): "November 18, 2026, 9:04 AM CST" / "18 de noviembre de 2026,
 * 9:04 CST". The text itself when it does not parse; "" for NULL. */
char            *cp_language_format_time (const char      *iso_time,
                                          const char      *lang);

G_END_DECLS
