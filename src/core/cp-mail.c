/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Composing patient mail from templates and sending it through an SMTP relay
 * with libcurl, in a worker thread, with retries and a send log. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <curl/curl.h>

#include "cp-error.h"
#include "cp-language.h"
#include "cp-mail.h"
#include "cp-mail-resources.h"
#include "cp-money.h"
#include "cp-receipt.h"

#define DEFAULT_MAX_ATTEMPTS   4
#define DEFAULT_RETRY_DELAY_MS 2000
#define DEFAULT_TIMEOUT_S      60
#define MAX_RETRY_DELAY_MS     (5 * 60 * 1000)

/* ---------------------------------------------------------------- config */

CpMailConfig *
cp_mail_config_new (void)
{
  return g_new0 (CpMailConfig, 1);
}

CpMailConfig *
cp_mail_config_copy (const CpMailConfig *config)
{
  CpMailConfig *copy = g_new0 (CpMailConfig, 1);

  *copy = *config;
  copy->host = g_strdup (config->host);
  copy->username = g_strdup (config->username);
  copy->password = g_strdup (config->password);
  copy->from_address = g_strdup (config->from_address);
  copy->from_name = g_strdup (config->from_name);
  copy->ca_file = g_strdup (config->ca_file);
  return copy;
}

void
cp_mail_config_free (CpMailConfig *config)
{
  if (config == NULL)
    return;
  if (config->password != NULL)
    memset (config->password, 0, strlen (config->password));
  g_free (config->password);
  g_free (config->host);
  g_free (config->username);
  g_free (config->from_address);
  g_free (config->from_name);
  g_free (config->ca_file);
  g_free (config);
}

gboolean
cp_mail_security_from_string (const char     *text,
                              CpMailSecurity *out)
{
  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "none") == 0 || g_ascii_strcasecmp (text, "plain") == 0)
    *out = CP_MAIL_SECURITY_NONE;
  else if (g_ascii_strcasecmp (text, "starttls") == 0)
    *out = CP_MAIL_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (text, "tls") == 0 || g_ascii_strcasecmp (text, "ssl") == 0 ||
           g_ascii_strcasecmp (text, "smtps") == 0)
    *out = CP_MAIL_SECURITY_TLS;
  else
    return FALSE;
  return TRUE;
}

const char *
cp_mail_security_to_string (CpMailSecurity security)
{
  switch (security)
    {
    case CP_MAIL_SECURITY_NONE: return "none";
    case CP_MAIL_SECURITY_STARTTLS: return "starttls";
    case CP_MAIL_SECURITY_TLS: return "tls";
    default: g_assert_not_reached ();
    }
}

static gboolean
address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || *address == '\0' || strlen (address) > 254)
    return FALSE;
  for (const char *p = address; *p; p++)
    if ((guchar) *p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' || *p == ';' ||
        (guchar) *p >= 0x7f)
      return FALSE;
  at = strchr (address, '@');
  return at != NULL && at != address && at[1] != '\0' && strchr (at + 1, '@') == NULL;
}

CpMailConfig *
cp_mail_config_from_env (GError **error)
{
  g_autoptr(CpMailConfig) config = cp_mail_config_new ();
  const char *host = g_getenv ("CAREPAY_SMTP_HOST");
  const char *port = g_getenv ("CAREPAY_SMTP_PORT");
  const char *security = g_getenv ("CAREPAY_SMTP_SECURITY");
  const char *user = g_getenv ("CAREPAY_SMTP_USER");
  const char *password = g_getenv ("CAREPAY_SMTP_PASSWORD");
  const char *from = g_getenv ("CAREPAY_SMTP_FROM");
  const char *from_name = g_getenv ("CAREPAY_SMTP_FROM_NAME");
  const char *ca_file = g_getenv ("CAREPAY_SMTP_CA_FILE");

  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("No SMTP relay: set CAREPAY_SMTP_HOST"));
      return NULL;
    }
  config->host = g_strdup (host);
  config->security = CP_MAIL_SECURITY_STARTTLS;
  if (security != NULL && *security != '\0' &&
      !cp_mail_security_from_string (security, &config->security))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("CAREPAY_SMTP_SECURITY must be none, starttls or tls, not “%s”"), security);
      return NULL;
    }
  if (port != NULL && *port != '\0')
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL))
        {
          g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                       _("CAREPAY_SMTP_PORT must be a port number, not “%s”"), port);
          return NULL;
        }
      config->port = (guint) value;
    }
  if (user != NULL && *user != '\0')
    config->username = g_strdup (user);
  if (password != NULL && *password != '\0')
    config->password = g_strdup (password);
  if (ca_file != NULL && *ca_file != '\0')
    config->ca_file = g_strdup (ca_file);

  /* "Billing <billing@example.org>" or "billing@example.org" */
  if (from != NULL)
    {
      const char *lt = strchr (from, '<');
      const char *gt = lt != NULL ? strchr (lt, '>') : NULL;

      if (lt != NULL && gt != NULL)
        {
          g_autofree char *name = g_strndup (from, lt - from);

          config->from_address = g_strndup (lt + 1, gt - lt - 1);
          g_strstrip (name);
          if (name[0] == '"' && strlen (name) >= 2 && name[strlen (name) - 1] == '"')
            {
              name[strlen (name) - 1] = '\0';
              memmove (name, name + 1, strlen (name));
            }
          if (*name != '\0')
            config->from_name = g_steal_pointer (&name);
        }
      else
        config->from_address = g_strstrip (g_strdup (from));
    }
  if (from_name != NULL && *from_name != '\0')
    {
      g_free (config->from_name);
      config->from_name = g_strdup (from_name);
    }
  if (!address_is_valid (config->from_address))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("CAREPAY_SMTP_FROM must hold the sender’s address"));
      return NULL;
    }
  return g_steal_pointer (&config);
}

/* --------------------------------------------------------------- message */

CpMailMessage *
cp_mail_message_new (void)
{
  return g_new0 (CpMailMessage, 1);
}

void
cp_mail_message_free (CpMailMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->kind);
  g_free (message->to_address);
  g_free (message->to_name);
  g_free (message->subject);
  g_free (message->text);
  g_free (message->html);
  g_clear_pointer (&message->attachment, g_bytes_unref);
  g_free (message->attachment_name);
  g_free (message);
}

static CpMailMessage *
cp_mail_message_copy (const CpMailMessage *message)
{
  CpMailMessage *copy = cp_mail_message_new ();

  copy->kind = g_strdup (message->kind);
  copy->invoice_id = message->invoice_id;
  copy->to_address = g_strdup (message->to_address);
  copy->to_name = g_strdup (message->to_name);
  copy->subject = g_strdup (message->subject);
  copy->text = g_strdup (message->text);
  copy->html = g_strdup (message->html);
  copy->attachment = message->attachment != NULL ? g_bytes_ref (message->attachment) : NULL;
  copy->attachment_name = g_strdup (message->attachment_name);
  return copy;
}

/* ------------------------------------------------------------- templates */

const char *
cp_mail_language_for (const CpPatient *patient)
{
  if (patient != NULL && patient->preferred_language != NULL &&
      g_ascii_strncasecmp (patient->preferred_language, "es", 2) == 0 &&
      (patient->preferred_language[2] == '\0' || patient->preferred_language[2] == '-' ||
       patient->preferred_language[2] == '_'))
    return "es";
  return "en";
}

/* HTML escaping for text and attribute values; &#39; rather than &apos;,
 * which older mail clients do not know. */
static char *
html_escape (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 16);

  for (const char *p = text; *p; p++)
    {
      switch (*p)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        case '\n': g_string_append (out, "<br>"); break;   /* multi-line values keep their lines */
        case '\r': break;
        default: g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

static const char *
lookup_var (GHashTable *vars,
            const char *name,
            gsize       len)
{
  g_autofree char *key = g_strndup (name, len);

  return g_hash_table_lookup (vars, key);
}

static gboolean
render_into (GString     *out,
             const char  *text,
             const char  *end,
             GHashTable  *vars,
             gboolean     html,
             GError     **error)
{
  const char *p = text;

  while (p < end)
    {
      const char *open = g_strstr_len (p, end - p, "{{");
      const char *close;
      const char *name;
      gsize len;

      if (open == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, open - p);
      close = g_strstr_len (open, end - open, "}}");
      if (close == NULL)
        {
          g_set_error_literal (error, CP_ERROR, CP_ERROR_FAILED, "Unclosed {{ in a mail template");
          return FALSE;
        }
      name = open + 2;
      len = close - name;

      if (len > 0 && (name[0] == '#' || name[0] == '^'))
        {
          g_autofree char *closing = g_strdup_printf ("{{/%.*s}}", (int) (len - 1), name + 1);
          const char *section_end = g_strstr_len (close + 2, end - close - 2, closing);
          const char *value = lookup_var (vars, name + 1, len - 1);
          gboolean set = value != NULL && *value != '\0';

          if (section_end == NULL)
            {
              g_set_error (error, CP_ERROR, CP_ERROR_FAILED, "Unclosed section %.*s in a mail template",
                           (int) len, name);
              return FALSE;
            }
          if ((name[0] == '#') == set &&
              !render_into (out, close + 2, section_end, vars, html, error))
            return FALSE;
          p = section_end + strlen (closing);
          continue;
        }
      else
        {
          g_autofree char *key = g_strndup (name, len);
          const char *value;

          if (!g_hash_table_contains (vars, key))
            {
              g_set_error (error, CP_ERROR, CP_ERROR_FAILED, "Unknown variable %s in a mail template", key);
              return FALSE;
            }
          value = g_hash_table_lookup (vars, key);
          if (value != NULL)
            {
              if (html && !g_str_has_suffix (key, "_html"))
                {
                  g_autofree char *escaped = html_escape (value);

                  g_string_append (out, escaped);
                }
              else if (!html && g_str_has_suffix (key, "_html"))
                {
                  g_set_error (error, CP_ERROR, CP_ERROR_FAILED, "HTML variable %s in a text template", key);
                  return FALSE;
                }
              else
                g_string_append (out, value);
            }
          p = close + 2;
        }
    }
  return TRUE;
}

char *
cp_mail_render_template (const char  *template_text,
                         GHashTable  *vars,
                         gboolean     html,
                         GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!render_into (out, template_text, template_text + strlen (template_text), vars, html, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
load_template (const char  *name,
               GError     **error)
{
  g_autofree char *path = g_strdup_printf ("/org/stingrays/CarePay/mail/%s", name);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (cp_mail_get_resource (), path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  if (bytes == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static const char *
kind_name (CpMailKind kind)
{
  switch (kind)
    {
    case CP_MAIL_KIND_INVOICE: return "invoice";
    case CP_MAIL_KIND_RECEIPT: return "receipt";
    case CP_MAIL_KIND_REFUND: return "refund";
    case CP_MAIL_KIND_REMINDER: return "reminder";
    default: g_assert_not_reached ();
    }
}

static char *
format_money (gint64      minor,
              const char *currency,
              const char *lang)
{
  if (g_str_equal (lang, "es"))
    return cp_money_format_full (minor, currency, ",", ".", TRUE);
  return cp_money_format_full (minor, currency, ".", ",", TRUE);
}

static void
set_var (GHashTable *vars,
         const char *name,
         char       *value)   /* owned */
{
  g_hash_table_insert (vars, g_strdup (name), value != NULL ? value : g_strdup (""));
}

static void
add_items (GHashTable      *vars,
           const CpInvoice *invoice,
           const char      *lang)
{
  GString *text = g_string_new (NULL);
  GString *html = g_string_new (NULL);

  for (guint i = 0; i < invoice->line_items->len; i++)
    {
      CpLineItem *item = g_ptr_array_index (invoice->line_items, i);
      g_autofree char *amount = format_money (item->amount, invoice->currency, lang);
      g_autofree char *desc = NULL;
      g_autofree char *escaped = html_escape (item->description != NULL ? item->description : "");

      if (item->quantity != 1)
        desc = g_strdup_printf ("%s × %" G_GINT64_FORMAT, item->description, item->quantity);
      else
        desc = g_strdup (item->description);
      g_string_append_printf (text, "  %s  %s\n", desc, amount);
      g_string_append_printf (html, "<tr><td>%s", escaped);
      if (item->quantity != 1)
        g_string_append_printf (html, " × %" G_GINT64_FORMAT, item->quantity);
      g_string_append_printf (html, "</td><td class=\"amount\">%s</td></tr>\n", amount);
    }
  set_var (vars, "items", g_string_free (text, FALSE));
  set_var (vars, "items_html", g_string_free (html, FALSE));
}

CpMailMessage *
cp_mail_compose (CpMailKind            kind,
                 const CpMailContext  *context,
                 GError              **error)
{
  const CpInvoice *invoice = context->invoice;
  const char *lang;
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(CpMailMessage) message = NULL;
  g_autofree char *txt_name = NULL;
  g_autofree char *html_name = NULL;
  g_autofree char *txt_template = NULL;
  g_autofree char *html_template = NULL;
  g_autofree char *text = NULL;
  g_autofree char *style = NULL;
  char *body;

  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (invoice != NULL && invoice->patient != NULL, NULL);

  if (!address_is_valid (invoice->patient->email))
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("Patient %s has no usable e-mail address"),
                   invoice->patient->mrn != NULL ? invoice->patient->mrn : "");
      return NULL;
    }
  if ((kind == CP_MAIL_KIND_RECEIPT && context->payment == NULL) ||
      (kind == CP_MAIL_KIND_REFUND && context->refund == NULL))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("A receipt needs its payment and a refund mail its refund"));
      return NULL;
    }

  lang = cp_mail_language_for (invoice->patient);
  set_var (vars, "hospital_name", g_strdup (context->hospital_name));
  set_var (vars, "hospital_address", g_strdup (context->hospital_address));
  set_var (vars, "patient_name", cp_patient_display_name (invoice->patient));
  set_var (vars, "invoice_number", g_strdup (invoice->number));
  set_var (vars, "issue_date", cp_language_format_date (invoice->issue_date, lang));
  set_var (vars, "due_date", cp_language_format_date (invoice->due_date, lang));
  set_var (vars, "total", format_money (invoice->total, invoice->currency, lang));
  set_var (vars, "balance", format_money (invoice->balance_due, invoice->currency, lang));
  set_var (vars, "notes", g_strdup (invoice->notes));
  set_var (vars, "pay_url", g_strdup (context->pay_url));
  set_var (vars, "attachment", g_strdup (context->pdf != NULL ? "1" : ""));
  add_items (vars, invoice, lang);

  if (kind == CP_MAIL_KIND_RECEIPT)
    {
      const CpPayment *payment = context->payment;

      set_var (vars, "amount", format_money (payment->amount,
                                             payment->currency != NULL ? payment->currency : invoice->currency,
                                             lang));
      set_var (vars, "card", cp_card_display_name (payment->card_brand, payment->card_last4));
      set_var (vars, "paid_at", cp_language_format_time (payment->created_at, lang));
      set_var (vars, "confirmation", g_strdup (payment->stripe_payment_intent_id));
    }
  else if (kind == CP_MAIL_KIND_REFUND)
    {
      const CpRefund *refund = context->refund;
      const CpPayment *payment = NULL;

      for (guint i = 0; invoice->payments != NULL && i < invoice->payments->len; i++)
        {
          const CpPayment *p = g_ptr_array_index (invoice->payments, i);

          if (p->id == refund->payment_id)
            payment = p;
        }
      set_var (vars, "amount", format_money (refund->amount,
                                             refund->currency != NULL ? refund->currency : invoice->currency,
                                             lang));
      set_var (vars, "card", payment != NULL ? cp_card_display_name (payment->card_brand, payment->card_last4)
                                             : g_strdup (g_str_equal (lang, "es") ? "su tarjeta" : "your card"));
      set_var (vars, "refunded_at", cp_language_format_time (refund->created_at, lang));
      set_var (vars, "refund_id", g_strdup (refund->stripe_refund_id));
    }
  else if (kind == CP_MAIL_KIND_REMINDER)
    {
      g_autofree char *today = context->today != NULL ? g_strdup (context->today) : cp_today ();
      int days = cp_days_between (invoice->due_date, today);
      int n;

      /* The wording follows the real distance to the due date: a reminder
       * caught up a day late says so */
      if (days == G_MININT)
        days = context->reminder_offset;
      n = ABS (days);
      set_var (vars, "before_due", g_strdup (days < 0 ? "1" : ""));
      set_var (vars, "on_due", g_strdup (days == 0 ? "1" : ""));
      set_var (vars, "overdue", g_strdup (days > 0 ? "1" : ""));
      if (g_str_equal (lang, "es"))
        set_var (vars, "days", g_strdup_printf (n == 1 ? "%d día" : "%d días", n));
      else
        set_var (vars, "days", g_strdup_printf (n == 1 ? "%d day" : "%d days", n));
    }

  txt_name = g_strdup_printf ("%s.%s.txt", kind_name (kind), lang);
  html_name = g_strdup_printf ("%s.%s.html", kind_name (kind), lang);
  if ((txt_template = load_template (txt_name, error)) == NULL ||
      (html_template = load_template (html_name, error)) == NULL ||
      (style = load_template ("style.css", error)) == NULL)
    return NULL;
  set_var (vars, "style_html", g_steal_pointer (&style));

  text = cp_mail_render_template (txt_template, vars, FALSE, error);
  if (text == NULL)
    return NULL;

  message = cp_mail_message_new ();
  /* "Subject: ...\n\n" then the body */
  if (!g_str_has_prefix (text, "Subject: ") || (body = strstr (text, "\n\n")) == NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_FAILED, "Mail template %s has no subject line", txt_name);
      return NULL;
    }
  message->subject = g_strstrip (g_strndup (text + strlen ("Subject: "), body - text - strlen ("Subject: ")));
  message->text = g_strdup (body + 2);
  message->html = cp_mail_render_template (html_template, vars, TRUE, error);
  if (message->html == NULL)
    return NULL;

  if (kind == CP_MAIL_KIND_REMINDER)
    message->kind = g_strdup_printf ("reminder:%d", context->reminder_offset);
  else
    message->kind = g_strdup (kind_name (kind));
  message->invoice_id = invoice->id;
  message->to_address = g_strdup (invoice->patient->email);
  message->to_name = cp_patient_display_name (invoice->patient);
  if (context->pdf != NULL)
    {
      message->attachment = g_bytes_ref (context->pdf);
      message->attachment_name = g_strdup_printf ("%s-%s.pdf",
                                                  kind == CP_MAIL_KIND_REFUND ? "refund" : "receipt",
                                                  invoice->number);
    }
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------------------ MIME */

static gboolean
is_plain_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
      return FALSE;
  return TRUE;
}

static char *
single_line (const char *text)
{
  char *copy = g_strdup (text != NULL ? text : "");

  /* No header injection: every control character becomes a space */
  for (char *p = copy; *p; p++)
    if ((guchar) *p < 0x20 || (guchar) *p == 0x7f)
      *p = ' ';
  return copy;
}

char *
cp_mail_encode_header (const char *text)
{
  g_autofree char *line = single_line (text);
  GString *out;
  const char *p;

  if (!g_utf8_validate (line, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (line, -1);

      g_free (line);
      line = g_steal_pointer (&valid);
    }
  if (is_plain_ascii (line) && strlen (line) <= 900)
    return g_steal_pointer (&line);

  /* Encoded words of at most 45 bytes of UTF-8 (60 of base64, 72 in all),
   * cut between characters, one per folded line. */
  out = g_string_new (NULL);
  p = line;
  while (*p)
    {
      const char *start = p;
      g_autofree char *b64 = NULL;

      while (*p)
        {
          const char *next = g_utf8_next_char (p);

          if (next - start > 45)
            break;
          p = next;
        }
      b64 = g_base64_encode ((const guchar *) start, p - start);
      if (out->len > 0)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?UTF-8?B?%s?=", b64);
    }
  return g_string_free (out, FALSE);
}

static char *
format_address (const char *name,
                const char *address)
{
  g_autofree char *clean = single_line (name);

  if (name == NULL || *clean == '\0')
    return g_strdup_printf ("<%s>", address);
  if (is_plain_ascii (clean))
    {
      GString *quoted = g_string_new ("\"");

      for (const char *p = clean; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (quoted, '\\');
          g_string_append_c (quoted, *p);
        }
      g_string_append_printf (quoted, "\" <%s>", address);
      return g_string_free (quoted, FALSE);
    }
  else
    {
      g_autofree char *encoded = cp_mail_encode_header (clean);

      return g_strdup_printf ("%s <%s>", encoded, address);
    }
}

static char *
rfc5322_date (GDateTime *date)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 offset = g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE;

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                          days[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date),
                          g_date_time_get_hour (date),
                          g_date_time_get_minute (date),
                          g_date_time_get_second (date),
                          offset < 0 ? '-' : '+',
                          (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
}

static void
append_base64 (GString      *out,
               const guchar *data,
               gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  gsize n = strlen (b64);

  for (gsize i = 0; i < n; i += 76)
    {
      g_string_append_len (out, b64 + i, MIN (76, n - i));
      g_string_append (out, "\r\n");
    }
}

static char *
crlf (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '\r')
        continue;
      if (*p == '\n')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
append_text_part (GString    *out,
                  const char *type,
                  const char *text)
{
  g_autofree char *body = crlf (text != NULL ? text : "");

  g_string_append_printf (out, "Content-Type: %s; charset=UTF-8\r\n", type);
  g_string_append (out, "Content-Transfer-Encoding: base64\r\n\r\n");
  append_base64 (out, (const guchar *) body, strlen (body));
}

GBytes *
cp_mail_message_to_mime (const CpMailMessage *message,
                         const char          *from_address,
                         const char          *from_name,
                         const char          *message_id,
                         GDateTime           *date)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GDateTime) now = date != NULL ? g_date_time_ref (date) : g_date_time_new_now_local ();
  g_autofree char *from = format_address (from_name, from_address);
  g_autofree char *to = format_address (message->to_name, message->to_address);
  g_autofree char *subject = cp_mail_encode_header (message->subject);
  g_autofree char *date_text = rfc5322_date (now);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *alt = g_strdup_printf ("=_alt_%s", uuid);
  g_autofree char *mixed = g_strdup_printf ("=_mixed_%s", uuid);
  g_autofree char *kind = single_line (message->kind);

  g_string_append_printf (out, "From: %s\r\n", from);
  g_string_append_printf (out, "To: %s\r\n", to);
  g_string_append_printf (out, "Subject: %s\r\n", subject);
  g_string_append_printf (out, "Date: %s\r\n", date_text);
  if (message_id != NULL)
    g_string_append_printf (out, "Message-ID: %s\r\n", message_id);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  if (message->kind != NULL)
    g_string_append_printf (out, "X-CarePay-Kind: %s\r\n", kind);
  g_string_append (out, "Auto-Submitted: auto-generated\r\n");

  if (message->attachment != NULL)
    {
      g_string_append_printf (out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", mixed);
      g_string_append (out, "This is a multi-part message in MIME format.\r\n");
      g_string_append_printf (out, "--%s\r\n", mixed);
    }
  g_string_append_printf (out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", alt);
  if (message->attachment == NULL)
    g_string_append (out, "This is a multi-part message in MIME format.\r\n");
  g_string_append_printf (out, "--%s\r\n", alt);
  append_text_part (out, "text/plain", message->text);
  g_string_append_printf (out, "--%s\r\n", alt);
  append_text_part (out, "text/html", message->html);
  g_string_append_printf (out, "--%s--\r\n", alt);

  if (message->attachment != NULL)
    {
      g_autofree char *name = single_line (message->attachment_name != NULL ? message->attachment_name
                                                                            : "receipt.pdf");
      gsize size;
      const guchar *data = g_bytes_get_data (message->attachment, &size);

      g_strdelimit (name, "\"\\", '_');
      g_string_append_printf (out, "--%s\r\n", mixed);
      g_string_append_printf (out, "Content-Type: application/pdf; name=\"%s\"\r\n", name);
      g_string_append_printf (out, "Content-Disposition: attachment; filename=\"%s\"\r\n", name);
      g_string_append (out, "Content-Transfer-Encoding: base64\r\n\r\n");
      append_base64 (out, data, size);
      g_string_append_printf (out, "--%s--\r\n", mixed);
    }
  return g_string_free_to_bytes (out);
}

/* ---------------------------------------------------------------- mailer */

struct _CpMailer
{
  GObject          parent_instance;
  CpMailConfig    *config;
  CpStore         *store;
  CpMailRetryFunc  retry_func;
  gpointer         retry_data;
};

G_DEFINE_FINAL_TYPE (CpMailer, cp_mailer, G_TYPE_OBJECT)

static void
cp_mailer_finalize (GObject *object)
{
  CpMailer *self = CP_MAILER (object);

  g_clear_pointer (&self->config, cp_mail_config_free);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cp_mailer_parent_class)->finalize (object);
}

static void
cp_mailer_class_init (CpMailerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cp_mailer_finalize;
}

static void
cp_mailer_init (CpMailer *self)
{
}

static gpointer
init_curl (gpointer data)
{
  curl_global_init (CURL_GLOBAL_DEFAULT);
  return NULL;
}

CpMailer *
cp_mailer_new (const CpMailConfig *config,
               CpStore            *store)
{
  static GOnce curl_once = G_ONCE_INIT;
  CpMailer *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (store == NULL || CP_IS_STORE (store), NULL);

  g_once (&curl_once, init_curl, NULL);
  self = g_object_new (CP_TYPE_MAILER, NULL);
  self->config = cp_mail_config_copy (config);
  if (self->config->port == 0)
    self->config->port = config->security == CP_MAIL_SECURITY_TLS ? 465
                         : config->security == CP_MAIL_SECURITY_STARTTLS ? 587 : 25;
  if (self->config->max_attempts == 0)
    self->config->max_attempts = DEFAULT_MAX_ATTEMPTS;
  if (self->config->retry_delay_ms == 0)
    self->config->retry_delay_ms = DEFAULT_RETRY_DELAY_MS;
  if (self->config->timeout_s == 0)
    self->config->timeout_s = DEFAULT_TIMEOUT_S;
  self->store = store != NULL ? g_object_ref (store) : NULL;
  return self;
}

void
cp_mailer_set_retry_func (CpMailer        *self,
                          CpMailRetryFunc  func,
                          gpointer         user_data)
{
  g_return_if_fail (CP_IS_MAILER (self));
  self->retry_func = func;
  self->retry_data = user_data;
}

typedef struct {
  const guchar *data;
  gsize         len;
  gsize         pos;
} Upload;

static size_t
read_upload (char   *buffer,
             size_t  size,
             size_t  nitems,
             void   *user_data)
{
  Upload *upload = user_data;
  size_t n = MIN (size * nitems, upload->len - upload->pos);

  memcpy (buffer, upload->data + upload->pos, n);
  upload->pos += n;
  return n;
}

static int
check_cancelled (void       *user_data,
                 curl_off_t  dltotal,
                 curl_off_t  dlnow,
                 curl_off_t  ultotal,
                 curl_off_t  ulnow)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

static gboolean
host_is_local (const char *host)
{
  return g_str_equal (host, "localhost") || g_str_equal (host, "::1") ||
         g_str_has_prefix (host, "127.");
}

/* One SMTP transaction. *retry says whether a failure may pass on its own. */
static gboolean
smtp_send_once (CpMailer      *self,
                const char    *to_address,
                GBytes        *mime,
                GCancellable  *cancellable,
                gboolean      *retry,
                GError       **error)
{
  const CpMailConfig *config = self->config;
  CURL *curl = curl_easy_init ();
  struct curl_slist *recipients = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  const char *domain = strchr (config->from_address, '@') + 1;
  g_autofree char *url = NULL;
  g_autofree char *from = g_strdup_printf ("<%s>", config->from_address);
  g_autofree char *to = g_strdup_printf ("<%s>", to_address);
  Upload upload = { g_bytes_get_data (mime, NULL), g_bytes_get_size (mime), 0 };
  long response = 0;
  CURLcode rc;

  *retry = FALSE;
  if (curl == NULL)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_FAILED, "Could not start libcurl");
      return FALSE;
    }

  /* The URL's path is the name we greet the server with (EHLO) */
  url = g_strdup_printf ("%s://%s%s%s:%u/%s",
                         config->security == CP_MAIL_SECURITY_TLS ? "smtps" : "smtp",
                         strchr (config->host, ':') != NULL ? "[" : "", config->host,
                         strchr (config->host, ':') != NULL ? "]" : "",
                         config->port, domain);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) MIN (config->timeout_s, 30));
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) config->timeout_s);
  if (config->security == CP_MAIL_SECURITY_STARTTLS)
    curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  if (config->ca_file != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, config->ca_file);
  if (config->username != NULL && *config->username != '\0')
    {
      curl_easy_setopt (curl, CURLOPT_USERNAME, config->username);
      curl_easy_setopt (curl, CURLOPT_PASSWORD, config->password != NULL ? config->password : "");
    }
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, from);
  recipients = curl_slist_append (recipients, to);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt (curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) upload.len);
  if (cancellable != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, check_cancelled);
      curl_easy_setopt (curl, CURLOPT_XFERINFODATA, cancellable);
      curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
    }

  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response);
  curl_slist_free_all (recipients);
  curl_easy_cleanup (curl);

  if (rc == CURLE_OK)
    return TRUE;

  if (rc == CURLE_ABORTED_BY_CALLBACK || g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_CANCELLED, _("Sending was cancelled"));
      return FALSE;
    }
  if (rc == CURLE_LOGIN_DENIED)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_AUTH, _("The mail server refused the login (%ld)"), response);
      return FALSE;
    }
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
      rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_USE_SSL_FAILED)
    {
      /* Not retried: it will not pass on its own, and must not be worked around */
      g_set_error (error, CP_ERROR, CP_ERROR_NETWORK,
                   _("No secure connection to the mail server %s:%u (the certificate or TLS failed): %s"),
                   config->host, config->port, *errbuf ? errbuf : curl_easy_strerror (rc));
      return FALSE;
    }
  if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ||
      rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
      rc == CURLE_GOT_NOTHING || rc == CURLE_SSL_CONNECT_ERROR)
    {
      if (response >= 500)
        {
          g_set_error (error, CP_ERROR, CP_ERROR_FAILED, _("The mail server refused the message: %s (%ld)"),
                       *errbuf ? errbuf : curl_easy_strerror (rc), response);
          return FALSE;
        }
      *retry = TRUE;
      g_set_error (error, CP_ERROR, CP_ERROR_NETWORK, _("Could not reach the mail server %s:%u: %s"),
                   config->host, config->port, *errbuf ? errbuf : curl_easy_strerror (rc));
      return FALSE;
    }
  /* Replies: 4xx may pass, 5xx will not */
  *retry = response >= 400 && response < 500;
  g_set_error (error, CP_ERROR, *retry ? CP_ERROR_NETWORK : CP_ERROR_FAILED,
               _("The mail server refused the message: %s (%ld)"),
               *errbuf ? errbuf : curl_easy_strerror (rc), response);
  return FALSE;
}

static char *
now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static void
save_log (CpMailer       *self,
          CpMailLogEntry *entry)
{
  g_autoptr(GError) error = NULL;

  if (self->store != NULL && !cp_store_save_mail_log (self->store, entry, &error))
    g_warning ("Could not write the mail log: %s", error->message);
}

static void
wait_cancellable (GCancellable *cancellable,
                  guint         ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < end)
    g_usleep (MIN (50 * 1000, end - g_get_monotonic_time () > 0 ? end - g_get_monotonic_time () : 0));
}

gboolean
cp_mailer_send (CpMailer       *self,
                CpMailMessage  *message,
                gint64         *out_log_id,
                GCancellable   *cancellable,
                GError        **error)
{
  const CpMailConfig *config;
  g_autoptr(CpMailLogEntry) entry = NULL;
  g_autoptr(GBytes) mime = NULL;
  g_autoptr(GError) last_error = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  guint delay;

  g_return_val_if_fail (CP_IS_MAILER (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  config = self->config;

  if (!address_is_valid (config->from_address) || config->host == NULL || *config->host == '\0')
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("The mail settings need a server and a sender address"));
      return FALSE;
    }
  if (!address_is_valid (message->to_address))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("The recipient’s e-mail address is not valid"));
      return FALSE;
    }
  /* Credentials never cross the network in the clear */
  if (config->security == CP_MAIL_SECURITY_NONE && config->username != NULL &&
      *config->username != '\0' && !host_is_local (config->host))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                           _("Refusing to send the SMTP password without TLS: use starttls or tls"));
      return FALSE;
    }

  entry = cp_mail_log_entry_new ();
  entry->invoice_id = message->invoice_id;
  entry->kind = g_strdup (message->kind != NULL ? message->kind : "other");
  entry->recipient = g_strdup (message->to_address);
  entry->subject = g_strdup (message->subject);
  entry->status = g_strdup ("sending");
  entry->message_id = g_strdup_printf ("<%s@%s>", uuid, strchr (config->from_address, '@') + 1);
  save_log (self, entry);
  if (out_log_id != NULL)
    *out_log_id = entry->id;

  mime = cp_mail_message_to_mime (message, config->from_address, config->from_name,
                                  entry->message_id, NULL);
  delay = config->retry_delay_ms;

  for (guint attempt = 1; attempt <= config->max_attempts; attempt++)
    {
      gboolean retry = FALSE;

      g_clear_error (&last_error);
      entry->attempts = attempt;
      g_debug ("Sending mail log entry %" G_GINT64_FORMAT " (%s), attempt %u",
               entry->id, entry->kind, attempt);
      if (smtp_send_once (self, message->to_address, mime, cancellable, &retry, &last_error))
        {
          g_free (entry->status);
          entry->status = g_strdup ("sent");
          entry->sent_at = now_utc ();
          save_log (self, entry);
          return TRUE;
        }

      g_free (entry->last_error);
      entry->last_error = g_strdup (last_error->message);
      retry = retry && attempt < config->max_attempts;
      g_free (entry->status);
      entry->status = g_strdup (retry ? "retrying" : "failed");
      save_log (self, entry);
      if (!retry)
        break;

      g_debug ("Mail log entry %" G_GINT64_FORMAT ": %s; retrying in %u ms",
               entry->id, last_error->message, delay);
      if (self->retry_func != NULL)
        self->retry_func (self, attempt, last_error, self->retry_data);
      wait_cancellable (cancellable, delay);
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&last_error);
          g_set_error_literal (&last_error, CP_ERROR, CP_ERROR_CANCELLED, _("Sending was cancelled"));
          g_free (entry->status);
          entry->status = g_strdup ("failed");
          g_free (entry->last_error);
          entry->last_error = g_strdup (last_error->message);
          save_log (self, entry);
          break;
        }
      delay = MIN (delay * 2, MAX_RETRY_DELAY_MS);
    }

  g_propagate_error (error, g_steal_pointer (&last_error));
  return FALSE;
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (cp_mailer_send (source_object, task_data, NULL, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cp_mailer_send_async (CpMailer            *self,
                      CpMailMessage       *message,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_MAILER (self));
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_mailer_send_async);
  /* Our own CP_ERROR_CANCELLED, after the send log says so */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, cp_mail_message_copy (message), (GDestroyNotify) cp_mail_message_free);
  g_task_run_in_thread (task, send_thread);
}

gboolean
cp_mailer_send_finish (CpMailer      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
