/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient's language for one piece of work on one thread (uselocale),
 * and dates written out in it. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cp-language.h"

struct _CpLanguageScope {
  locale_t previous;
};

/* Installed locales to try for each language, the region whose number
 * format the e-mail templates use first ("1.234,56 $" for Spanish). */
static const char *const es_locales[] = { "es_ES.UTF-8", "es_MX.UTF-8", "es_US.UTF-8", NULL };
static const char *const en_locales[] = { "en_US.UTF-8", "C.UTF-8", NULL };

G_LOCK_DEFINE_STATIC (locales);

/* newlocale() reads the locale files: once per language per process. The
 * locale_t values are kept for good (uselocale needs them alive). */
static locale_t
locale_for (const char *lang)
{
  static locale_t es, en;
  static gboolean es_tried, en_tried;
  gboolean spanish = g_strcmp0 (lang, "es") == 0;
  locale_t *slot = spanish ? &es : &en;
  gboolean *tried = spanish ? &es_tried : &en_tried;
  const char *const *names = spanish ? es_locales : en_locales;
  locale_t result;

  G_LOCK (locales);
  if (!*tried)
    {
      *tried = TRUE;
      for (guint i = 0; names[i] != NULL && *slot == (locale_t) 0; i++)
        *slot = newlocale (LC_ALL_MASK, names[i], (locale_t) 0);
      /* English is the msgids: messages from the C locale, where gettext
       * also ignores a LANGUAGE=es that Spanish-speaking staff may have. */
      if (!spanish && *slot != (locale_t) 0)
        {
          locale_t with_c = newlocale (LC_MESSAGES_MASK, "C.UTF-8", *slot);

          if (with_c != (locale_t) 0)
            *slot = with_c;
        }
      if (*slot == (locale_t) 0)
        g_debug ("No locale installed for language %s: documents stay in the program's", lang);
    }
  result = *slot;
  G_UNLOCK (locales);
  return result;
}

CpLanguageScope *
cp_language_scope_push (const char *lang)
{
  locale_t loc = locale_for (lang);
  CpLanguageScope *scope;

  if (loc == (locale_t) 0)
    return NULL;
  scope = g_new0 (CpLanguageScope, 1);
  scope->previous = uselocale (loc);
  return scope;
}

void
cp_language_scope_pop (CpLanguageScope *scope)
{
  if (scope == NULL)
    return;
  uselocale (scope->previous);
  g_free (scope);
}

/* Month names written out here rather than taken from LC_TIME: the mail
 * templates are per language anyway, and this needs no installed locale. */
static const char *const months_en[] = {
  "January", "February", "March", "April", "May", "June", "July",
  "August", "September", "October", "November", "December",
};
static const char *const months_es[] = {
  "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
  "agosto", "septiembre", "octubre", "noviembre", "diciembre",
};

static const char *const short_months_en[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const short_months_es[] = {
  "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
};

static char *
date_text (int         year,
           int         month,
           int         day,
           const char *lang)
{
  if (g_strcmp0 (lang, "es") == 0)
    return g_strdup_printf ("%d de %s de %d", day, months_es[month - 1], year);
  return g_strdup_printf ("%s %d, %d", months_en[month - 1], day, year);
}

char *
cp_language_format_date (const char *iso_date,
                         const char *lang)
{
  int y, m, d;
  char tail;

  if (iso_date == NULL)
    return g_strdup ("");
  if (sscanf (iso_date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return g_strdup (iso_date);
  return date_text (y, m, d, lang);
}

char *
cp_language_format_date_short (const char *iso_date,
                               const char *lang)
{
  int y, m, d;
  char tail;

  if (iso_date == NULL)
    return g_strdup ("");
  if (sscanf (iso_date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return g_strdup (iso_date);
  if (g_strcmp0 (lang, "es") == 0)
    return g_strdup_printf ("%d %s %d", d, short_months_es[m - 1], y);
  return g_strdup_printf ("%s %d, %d", short_months_en[m - 1], d, y);
}

char *
cp_language_format_time (const char *iso_time,
                         const char *lang)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *date = NULL;
  const char *zone;
  int hour, minute;

  if (iso_time == NULL)
    return g_strdup ("");
  utc = g_time_zone_new_utc ();
  parsed = g_date_time_new_from_iso8601 (iso_time, utc);
  if (parsed == NULL)
    return g_strdup (iso_time);
  local = g_date_time_to_local (parsed);
  date = date_text (g_date_time_get_year (local), g_date_time_get_month (local),
                    g_date_time_get_day_of_month (local), lang);
  zone = g_date_time_get_timezone_abbreviation (local);
  hour = g_date_time_get_hour (local);
  minute = g_date_time_get_minute (local);
  if (g_strcmp0 (lang, "es") == 0)
    return g_strdup_printf ("%s, %d:%02d %s", date, hour, minute, zone);
  return g_strdup_printf ("%s, %d:%02d %s %s", date, hour % 12 == 0 ? 12 : hour % 12, minute,
                          hour < 12 ? "AM" : "PM", zone);
}
