/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Start-up (issue #8): the `carepay` executable does not link libcurl, which
 * only mail uses (src/core/cp-mail.c), yet costs some 7 ms of CPU before
 * main(): with OpenSSL, GnuTLS, Kerberos, LDAP, SSH and RTMP it is 14 of the
 * app's 103 libraries, most of them bound now. These are the libcurl
 * functions the core calls; the first call opens libcurl (as the payment
 * view is opened, cp-payview-module.c) and each forwards to it. Tests and
 * carepayctl link libcurl itself; test-mail-deferred-curl runs the mail
 * tests through this file. A libcurl function the core starts to use is
 * an undefined reference when `carepay` links, never a silent gap.
 *
 * The functions are hidden: the executable exports its symbols for the
 * payment view module, and libcurl must never bind its own calls to us. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <gmodule.h>

#define CURL_DISABLE_TYPECHECK 1  /* the real functions, not the checking macros */
/* Only curl.h's own declarations hidden: the system headers it includes
 * are in already. */
#pragma GCC visibility push(hidden)
#include <curl/curl.h>
#pragma GCC visibility pop

/* libcurl's ABI has been soname 4 since 2006 (curl 7.16). */
#define CP_LIBCURL_SONAME "libcurl.so.4"

static struct {
  CURLcode     (*global_init) (long);
  CURL        *(*easy_init) (void);
  CURLcode     (*easy_setopt) (CURL *, CURLoption, ...);
  CURLcode     (*easy_perform) (CURL *);
  CURLcode     (*easy_getinfo) (CURL *, CURLINFO, ...);
  void         (*easy_cleanup) (CURL *);
  const char  *(*easy_strerror) (CURLcode);
  struct curl_slist *(*slist_append) (struct curl_slist *, const char *);
  void         (*slist_free_all) (struct curl_slist *);
} real;

static gpointer
open_libcurl (gpointer data)
{
  GModule *module = g_module_open (CP_LIBCURL_SONAME, G_MODULE_BIND_LOCAL);
  const struct { const char *name; gpointer *slot; } symbols[] = {
    { "curl_global_init", (gpointer *) &real.global_init },
    { "curl_easy_init", (gpointer *) &real.easy_init },
    { "curl_easy_setopt", (gpointer *) &real.easy_setopt },
    { "curl_easy_perform", (gpointer *) &real.easy_perform },
    { "curl_easy_getinfo", (gpointer *) &real.easy_getinfo },
    { "curl_easy_cleanup", (gpointer *) &real.easy_cleanup },
    { "curl_easy_strerror", (gpointer *) &real.easy_strerror },
    { "curl_slist_append", (gpointer *) &real.slist_append },
    { "curl_slist_free_all", (gpointer *) &real.slist_free_all },
  };

  if (module == NULL)
    {
      g_warning ("Cannot send mail: %s", g_module_error ());
      return GINT_TO_POINTER (FALSE);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (symbols); i++)
    if (!g_module_symbol (module, symbols[i].name, symbols[i].slot) || *symbols[i].slot == NULL)
      {
        g_warning ("Cannot send mail: %s has no %s", CP_LIBCURL_SONAME, symbols[i].name);
        memset (&real, 0, sizeof real);
        g_module_close (module);
        return GINT_TO_POINTER (FALSE);
      }
  /* Kept open for the life of the process, as a linked libcurl would be. */
  g_module_make_resident (module);
  return GINT_TO_POINTER (TRUE);
}

static gboolean
loaded (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, open_libcurl, NULL));
}

CURLcode
curl_global_init (long flags)
{
  return loaded () ? real.global_init (flags) : CURLE_FAILED_INIT;
}

CURL *
curl_easy_init (void)
{
  return loaded () ? real.easy_init () : NULL;
}

/* The argument's type follows from the option's number, as in libcurl
 * itself (CURLOPTTYPE_* in curl.h). */
CURLcode
curl_easy_setopt (CURL       *curl,
                  CURLoption  option,
                  ...)
{
  CURLcode rc;
  va_list ap;

  if (!loaded ())
    return CURLE_FAILED_INIT;
  va_start (ap, option);
  if (option < CURLOPTTYPE_OBJECTPOINT)
    rc = real.easy_setopt (curl, option, va_arg (ap, long));
  else if (option < CURLOPTTYPE_FUNCTIONPOINT)
    rc = real.easy_setopt (curl, option, va_arg (ap, void *));
  else if (option < CURLOPTTYPE_OFF_T)
    rc = real.easy_setopt (curl, option, va_arg (ap, void (*) (void)));
  else if (option < CURLOPTTYPE_BLOB)
    rc = real.easy_setopt (curl, option, va_arg (ap, curl_off_t));
  else
    rc = real.easy_setopt (curl, option, va_arg (ap, void *));
  va_end (ap);
  return rc;
}

CURLcode
curl_easy_perform (CURL *curl)
{
  return loaded () ? real.easy_perform (curl) : CURLE_FAILED_INIT;
}

/* Every CURLINFO_* takes one pointer. */
CURLcode
curl_easy_getinfo (CURL     *curl,
                   CURLINFO  info,
                   ...)
{
  CURLcode rc;
  va_list ap;

  if (!loaded ())
    return CURLE_FAILED_INIT;
  va_start (ap, info);
  rc = real.easy_getinfo (curl, info, va_arg (ap, void *));
  va_end (ap);
  return rc;
}

void
curl_easy_cleanup (CURL *curl)
{
  if (loaded ())
    real.easy_cleanup (curl);
}

const char *
curl_easy_strerror (CURLcode code)
{
  return loaded () ? real.easy_strerror (code) : "libcurl is not installed";
}

struct curl_slist *
curl_slist_append (struct curl_slist *list,
                   const char        *string)
{
  return loaded () ? real.slist_append (list, string) : NULL;
}

void
curl_slist_free_all (struct curl_slist *list)
{
  if (loaded ())
    real.slist_free_all (list);
}
