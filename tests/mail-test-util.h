/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include <string.h>

#include "cp-mail.h"
#include "cp-sqlite-store.h"

G_BEGIN_DECLS

/* Shared by test-receipt, test-mail and test-reminders: a real SQLite file
 * in a temporary directory, patients and invoices in it, and a local SMTP
 * sink (tests/smtp_sink.py under aiosmtpd) that writes what it receives. */

typedef struct {
  char          *dir;
  char          *db_path;
  CpSqliteStore *store;
} MailFixture;

void        mail_fixture_setup      (MailFixture *f);
void        mail_fixture_teardown   (MailFixture *f);

CpPatient  *mail_test_add_patient   (MailFixture *f,
                                     const char  *mrn,
                                     const char  *given,
                                     const char  *family,
                                     const char  *email,
                                     const char  *language);
/* Two line items (12,500 + 3 × 6,500 = 32,000), USD, no tax. */
CpInvoice  *mail_test_add_invoice   (MailFixture *f,
                                     CpPatient   *patient,
                                     const char  *number,
                                     const char  *issue_date,
                                     const char  *due_date);
void        mail_test_add_payment   (MailFixture *f,
                                     gint64       invoice_id,
                                     const char  *pi,
                                     gint64       amount,
                                     const char  *brand,
                                     const char  *last4,
                                     const char  *created_at);
/* Re-read from the store (computed as of CAREPAY_TODAY). */
CpInvoice  *mail_test_get_invoice   (MailFixture *f,
                                     const char  *number);

/* A free TCP port on 127.0.0.1. */
guint16     mail_test_free_port     (void);
/* The relay the tests send through: the sink on 127.0.0.1:`port`, no TLS,
 * St. Raymond's billing address, a 20 s timeout. */
CpMailConfig *mail_test_config_new  (guint16      port);

#define assert_contains(hay, needle) \
  G_STMT_START { \
    const char *_h = (hay); \
    if (_h == NULL || strstr (_h, (needle)) == NULL) \
      g_error ("“%s” not found in:\n%s", (needle), _h); \
  } G_STMT_END

typedef struct {
  GSubprocess *process;
  guint16      port;
  char        *outdir;
} SmtpSink;

/* Starts the sink and waits until it accepts connections. extra_args (NULL
 * terminated, may be NULL) go to the standalone mode; without them the sink
 * runs as `python3 -m aiosmtpd -n -c smtp_sink.Sink`. */
SmtpSink   *smtp_sink_start         (guint16      port,
                                     const char  *outdir,
                                     const char  *const *extra_args);
void        smtp_sink_stop          (SmtpSink    *sink);
/* The JSON summaries written so far, in order. */
GPtrArray  *smtp_sink_messages      (const char  *outdir);  /* JsonObject, owned */

/* test-mail's and test-reminders' fixture: a MailFixture with CAREPAY_TODAY
 * set to `today`, the sink's inbox folder, a free port and the relay config
 * for it (mail_test_config_new()); the test starts the sink when it wants one. */
typedef struct {
  MailFixture   base;
  char         *outdir;
  guint16       port;
  SmtpSink     *sink;
  CpMailConfig *config;
} SmtpFixture;

void        smtp_fixture_setup      (SmtpFixture *f,
                                     const char  *today);
void        smtp_fixture_teardown   (SmtpFixture *f);

/* Runs a program, collecting stdout and stderr; returns the exit status. */
int         mail_test_run           (const char *const *argv,
                                     const char *const *envp_extra,
                                     char              **out_stdout,
                                     char              **out_stderr);
/* pdftotext -layout of a PDF's bytes. */
char       *mail_test_pdf_text      (GBytes      *pdf,
                                     const char  *dir);

G_END_DECLS
