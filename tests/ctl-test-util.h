/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared helpers of the tests that run the built carepayctl (CAREPAYCTL):
 * a run's exit status and output, and posting a signed webhook to
 * `carepayctl webhook-listen`. */
#pragma once

#include <string.h>
#include <sys/wait.h>
#include <libsoup/soup.h>

#include "cp-stripe-webhook.h"

#ifndef CAREPAYCTL
#error "CAREPAYCTL must be the path of the built carepayctl"
#endif

typedef struct {
  int   status;       /* the exit status, -1 when carepayctl did not exit */
  int   wait_status;  /* as waitpid() gave it */
  char *out;
  char *err;
} CtlRun;

static inline void
ctl_run_clear (CtlRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CtlRun, ctl_run_clear)

/* Runs argv (NULL-terminated, argv[0] a path) in the test's environment
 * changed by `env`: "NAME=VALUE" sets NAME, a bare "NAME" unsets it. A crash
 * fails the test (carepayctl always exits with a status) unless `may_crash`. */
static inline void
ctl_run_argv_full (CtlRun             *run,
                   const char * const *env,
                   const char * const *argv,
                   gboolean            may_crash)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      if (pair[1] != NULL)
        envp = g_environ_setenv (envp, pair[0], pair[1], TRUE);
      else
        envp = g_environ_unsetenv (envp, pair[0]);
    }
  ctl_run_clear (run);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &run->wait_status, &error));
  g_assert_no_error (error);
  if (!may_crash)
    g_assert_true (WIFEXITED (run->wait_status));
  run->status = WIFEXITED (run->wait_status) ? WEXITSTATUS (run->wait_status) : -1;
}

static inline void
ctl_run_argv (CtlRun             *run,
              const char * const *env,
              const char * const *argv)
{
  ctl_run_argv_full (run, env, argv, FALSE);
}

/* carepayctl `first` ... (NULL-terminated), the leading arguments `args`
 * (NULL-terminated, or NULL) before them; see ctl_run_argv_full(). */
static inline void
ctl_run_valist (CtlRun             *run,
                const char * const *env,
                const char * const *args,
                gboolean            may_crash,
                const char         *first,
                va_list             rest)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) CAREPAYCTL);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  for (const char *arg = first; arg != NULL; arg = va_arg (rest, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);
  ctl_run_argv_full (run, env, (const char * const *) argv->pdata, may_crash);
}

/* carepayctl with the arguments (NULL-terminated) in the environment
 * changed by `env` (see ctl_run_argv; NULL for none). */
static inline void
ctl_run (CtlRun             *run,
         const char * const *env,
         const char         *first,
         ...)
{
  va_list rest;

  va_start (rest, first);
  ctl_run_valist (run, env, NULL, FALSE, first, rest);
  va_end (rest);
}

/* A money command against the simulator: carepayctl --db DB --api-base URL
 * --secret-key KEY [--as USER] `first` ..., with CAREPAY_PASSWORD set to
 * `password`, neither CAREPAY_FAULT nor CAREPAY_STRIPE_SECRET_KEY taken from
 * the test's environment, and then `env` (see ctl_run_argv_full()). */
static inline void
ctl_run_money_valist (CtlRun             *run,
                      const char         *db,
                      const char         *api_base,
                      const char         *key,
                      const char         *as_user,
                      const char         *password,
                      const char * const *env,
                      gboolean            may_crash,
                      const char         *first,
                      va_list             rest)
{
  const char *args[] = { "--db", db, "--api-base", api_base, "--secret-key", key,
                         as_user != NULL ? "--as" : NULL, as_user, NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *password_pair = g_strconcat ("CAREPAY_PASSWORD=", password, NULL);
  g_auto(GStrv) all_env = NULL;

  g_strv_builder_add_many (builder, password_pair, "CAREPAY_FAULT", "CAREPAY_STRIPE_SECRET_KEY", NULL);
  if (env != NULL)
    g_strv_builder_addv (builder, (const char **) env);
  all_env = g_strv_builder_end (builder);
  ctl_run_valist (run, (const char * const *) all_env, args, may_crash, first, rest);
}

/* carepayctl failed as it should: `status`, one "carepayctl: " line on stderr. */
static inline void
ctl_assert_one_line_error (CtlRun *run,
                           int     status)
{
  g_assert_cmpint (run->status, ==, status);
  g_assert_true (g_str_has_prefix (run->err, "carepayctl: "));
  g_assert_nonnull (strchr (run->err, '\n'));
  g_assert_cmpuint (strlen (strchr (run->err, '\n')), ==, 1);
}

/* POSTs a webhook payload signed with `secret` now; the HTTP status. */
static inline guint
ctl_post_signed (const char *url,
                 const char *payload,
                 const char *secret)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new (payload, strlen (payload));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *signature = cp_stripe_webhook_sign (payload, strlen (payload), secret,
                                                       g_get_real_time () / G_USEC_PER_SEC);

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Stripe-Signature", signature);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg);
}
