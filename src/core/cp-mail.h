/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cp-records.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* Mail to patients: invoice notifications with their payment link, receipts,
 * refund confirmations and reminders. Messages are composed from templates
 * (data/mail, compiled into core) in the patient's preferred language, as
 * HTML with a plain-text alternative, and sent through an SMTP relay with
 * libcurl. Every message goes into the store's send log. */

typedef enum {
  CP_MAIL_SECURITY_NONE,      /* plain SMTP: only for relays on this machine */
  CP_MAIL_SECURITY_STARTTLS,  /* SMTP then STARTTLS, required (port 587) */
  CP_MAIL_SECURITY_TLS,       /* implicit TLS, SMTPS (port 465) */
} CpMailSecurity;

/* The relay. The password comes from the keyring (cp-smtp-secret.h) or the
 * environment; it is never logged and is wiped on free. */
typedef struct {
  char           *host;
  guint           port;           /* 0: 25, 587 or 465 by security */
  CpMailSecurity  security;
  char           *username;       /* NULL: no authentication */
  char           *password;
  char           *from_address;   /* billing@hospital.example */
  char           *from_name;      /* "St. Raymond Billing" */
  char           *ca_file;        /* a PEM bundle to trust instead of the system's, or NULL */
  guint           max_attempts;   /* 0: 4 */
  guint           retry_delay_ms; /* first wait between attempts, doubled each time; 0: 2000 */
  guint           timeout_s;      /* 0: 60 */
} CpMailConfig;

CpMailConfig  *cp_mail_config_new            (void);
CpMailConfig  *cp_mail_config_copy           (const CpMailConfig *config);
void           cp_mail_config_free           (CpMailConfig       *config);
/* From CAREPAY_SMTP_HOST, _PORT, _SECURITY (none, starttls, tls), _USER,
 * _PASSWORD, _FROM ("Name <addr>" or "addr"), _FROM_NAME and _CA_FILE.
 * CP_ERROR_INVALID_INPUT when the host or sender is missing or a value is wrong. */
CpMailConfig  *cp_mail_config_from_env       (GError **error);
gboolean       cp_mail_security_from_string  (const char      *text,
                                              CpMailSecurity  *out);
const char    *cp_mail_security_to_string    (CpMailSecurity   security);

typedef enum {
  CP_MAIL_KIND_INVOICE,    /* a new invoice, with its payment link */
  CP_MAIL_KIND_RECEIPT,    /* after a payment */
  CP_MAIL_KIND_REFUND,     /* a refund confirmation */
  CP_MAIL_KIND_REMINDER,   /* the reminder schedule (cp-reminders.h) */
} CpMailKind;

typedef struct {
  char   *kind;             /* the send log's kind: "receipt", "reminder:30"... */
  gint64  invoice_id;
  char   *to_address;
  char   *to_name;
  char   *subject;
  char   *text;             /* text/plain part */
  char   *html;             /* text/html part */
  GBytes *attachment;       /* optional application/pdf */
  char   *attachment_name;
} CpMailMessage;

CpMailMessage *cp_mail_message_new           (void);
void           cp_mail_message_free          (CpMailMessage *message);

/* What a message is about. */
typedef struct {
  const char      *hospital_name;
  const char      *hospital_address;
  const CpInvoice *invoice;          /* computed, with its patient */
  const CpPayment *payment;          /* RECEIPT */
  const CpRefund  *refund;           /* REFUND */
  const char      *pay_url;          /* INVOICE and REMINDER: the payment link, optional */
  int              reminder_offset;  /* REMINDER: days relative to the due date */
  const char      *today;            /* REMINDER: YYYY-MM-DD, NULL for cp_today() */
  GBytes          *pdf;              /* RECEIPT, REFUND: the PDF to attach, optional */
} CpMailContext;

/* "es" for patients whose preferred language is Spanish, "en" otherwise. */
const char    *cp_mail_language_for          (const CpPatient *patient);
/* Composes the message from the templates in the patient's language; every
 * value inserted into HTML is escaped. CP_ERROR_INVALID_INPUT when the
 * patient has no e-mail address. */
CpMailMessage *cp_mail_compose               (CpMailKind            kind,
                                              const CpMailContext  *context,
                                              GError              **error);
/* Replaces {{name}} with vars[name] (escaped when `html`); {{#name}}...{{/name}}
 * keeps the text only when name is set and not empty, {{^name}}...{{/name}}
 * only when it is not. Names ending in "_html" are inserted as they are. */
char          *cp_mail_render_template       (const char   *template_text,
                                              GHashTable   *vars,
                                              gboolean      html,
                                              GError      **error);

/* RFC 2047 "=?UTF-8?B?...?=" words, folded, when `text` is not plain
 * printable ASCII; `text` itself otherwise. Line breaks become spaces. */
char          *cp_mail_encode_header         (const char *text);
/* The whole RFC 5322 message with CRLF line ends: multipart/alternative
 * (text/plain, text/html, UTF-8, base64), inside multipart/mixed when there
 * is an attachment. `date` NULL for now. */
GBytes        *cp_mail_message_to_mime       (const CpMailMessage *message,
                                              const char          *from_address,
                                              const char          *from_name,
                                              const char          *message_id,
                                              GDateTime           *date);

#define CP_TYPE_MAILER (cp_mailer_get_type ())
G_DECLARE_FINAL_TYPE (CpMailer, cp_mailer, CP, MAILER, GObject)

/* Called in the sending thread after a failed attempt that will be retried,
 * before the wait: `attempt` counts from 1. */
typedef void (*CpMailRetryFunc) (CpMailer     *mailer,
                                 guint         attempt,
                                 const GError *error,
                                 gpointer      user_data);

/* `store` (optional) receives the send log. */
CpMailer      *cp_mailer_new                 (const CpMailConfig *config,
                                              CpStore            *store);
void           cp_mailer_set_retry_func      (CpMailer           *self,
                                              CpMailRetryFunc     func,
                                              gpointer            user_data);
/* Sends in the calling thread, retrying transient failures (no connection,
 * 4xx replies) with backoff; 5xx replies and refused logins fail at once
 * (CP_ERROR_FAILED, CP_ERROR_AUTH), connection trouble with CP_ERROR_NETWORK.
 * The log entry's id is returned in *out_log_id when given. */
gboolean       cp_mailer_send                (CpMailer           *self,
                                              CpMailMessage      *message,
                                              gint64             *out_log_id,
                                              GCancellable       *cancellable,
                                              GError            **error);
/* The same in a worker thread. */
void           cp_mailer_send_async          (CpMailer            *self,
                                              CpMailMessage       *message,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       cp_mailer_send_finish         (CpMailer            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpMailConfig, cp_mail_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpMailMessage, cp_mail_message_free)

G_END_DECLS
