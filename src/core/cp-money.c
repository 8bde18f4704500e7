/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <string.h>

#include "cp-error.h"
#include "cp-money.h"

typedef struct {
  const char *code;
  int         exponent;
  const char *symbol;
} CurrencyInfo;

/* ISO 4217 codes Stripe settles in that a hospital is likely to bill in, with
 * Stripe's own exponents (its zero- and three-decimal lists). */
static const CurrencyInfo currencies[] = {
  { "AED", 2, "AED" }, { "AUD", 2, "A$" },  { "BHD", 3, "BHD" }, { "BRL", 2, "R$" },
  { "CAD", 2, "CA$" }, { "CHF", 2, "CHF" }, { "CLP", 0, "CLP" }, { "CNY", 2, "CN¥" },
  { "COP", 2, "COP" }, { "CZK", 2, "Kč" },  { "DKK", 2, "kr" },  { "EUR", 2, "€" },
  { "GBP", 2, "£" },   { "HKD", 2, "HK$" }, { "HUF", 2, "Ft" },  { "IDR", 2, "Rp" },
  { "ILS", 2, "₪" },   { "INR", 2, "₹" },   { "JOD", 3, "JOD" }, { "JPY", 0, "¥" },
  { "KRW", 0, "₩" },   { "KWD", 3, "KWD" }, { "MXN", 2, "MX$" }, { "MYR", 2, "RM" },
  { "NOK", 2, "kr" },  { "NZD", 2, "NZ$" }, { "OMR", 3, "OMR" }, { "PEN", 2, "S/" },
  { "PHP", 2, "₱" },   { "PLN", 2, "zł" },  { "PYG", 0, "PYG" }, { "RON", 2, "lei" },
  { "SAR", 2, "SAR" }, { "SEK", 2, "kr" },  { "SGD", 2, "S$" },  { "THB", 2, "฿" },
  { "TND", 3, "TND" }, { "TRY", 2, "₺" },   { "TWD", 2, "NT$" }, { "UGX", 0, "UGX" },
  { "USD", 2, "$" },   { "VND", 0, "₫" },   { "XAF", 0, "FCFA" }, { "XOF", 0, "CFA" },
  { "ZAR", 2, "R" },
};

static const CurrencyInfo *
lookup_currency (const char *currency)
{
  if (currency == NULL || strlen (currency) != 3)
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_ascii_strcasecmp (currencies[i].code, currency) == 0)
      return &currencies[i];

  return NULL;
}

int
cp_currency_exponent (const char *currency)
{
  const CurrencyInfo *info = lookup_currency (currency);

  return info ? info->exponent : -1;
}

gboolean
cp_currency_is_known (const char *currency)
{
  return lookup_currency (currency) != NULL;
}

const char *
cp_currency_symbol (const char *currency)
{
  const CurrencyInfo *info = lookup_currency (currency);

  return info ? info->symbol : currency;
}

CpMoney
cp_money_init (gint64      amount,
               const char *currency)
{
  CpMoney money = { amount, "" };

  if (currency != NULL)
    for (int i = 0; i < 3 && currency[i]; i++)
      money.currency[i] = g_ascii_toupper (currency[i]);

  return money;
}

static gboolean
set_invalid (GError     **error,
             const char  *text,
             const char  *why)
{
  g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
               /* Translators: first %s is the amount typed, second why it is refused */
               _("“%s” is not a valid amount: %s"), text, why);
  return FALSE;
}

static const char *
skip_spaces (const char *p)
{
  while (*p)
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c) && c != 0x00A0 && c != 0x202F)
        break;
      p = g_utf8_next_char (p);
    }
  return p;
}

static gboolean
has_prefix_nonempty (const char *p,
                     const char *prefix)
{
  return prefix != NULL && *prefix != '\0' && g_str_has_prefix (p, prefix);
}

/* Appends one digit to *value, failing on overflow. */
static gboolean
push_digit (gint64 *value,
            int     digit)
{
  return !__builtin_mul_overflow (*value, 10, value) &&
         !__builtin_add_overflow (*value, digit, value);
}

gboolean
cp_money_parse_full (const char        *text,
                     const char        *currency,
                     const char        *decimal_sep,
                     const char        *group_sep,
                     CpMoneyParseFlags  flags,
                     gint64            *out_minor,
                     GError           **error)
{
  const CurrencyInfo *info;
  const char *p;
  const char *symbol;
  gboolean negative = FALSE;
  gint64 value = 0;
  int int_digits = 0;
  int group_digits = 0;     /* digits since the last group separator */
  gboolean grouped = FALSE;
  int frac_digits = 0;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (out_minor != NULL, FALSE);

  info = lookup_currency (currency);
  if (info == NULL)
    {
      g_set_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT,
                   _("Unknown currency “%s”"), currency ? currency : "");
      return FALSE;
    }
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return set_invalid (error, "", _("it is empty"));
  if (decimal_sep == NULL || *decimal_sep == '\0')
    decimal_sep = ".";
  if (group_sep != NULL && g_str_equal (group_sep, decimal_sep))
    group_sep = NULL;

  trimmed = g_strstrip (g_strdup (text));
  p = skip_spaces (text);
  if (*p == '\0')
    return set_invalid (error, trimmed, _("it is empty"));

  if (*p == '-' || g_str_has_prefix (p, "−"))
    {
      negative = TRUE;
      p += (*p == '-') ? 1 : strlen ("−");
      p = skip_spaces (p);
    }

  symbol = info->symbol;
  if (has_prefix_nonempty (p, symbol))
    p = skip_spaces (p + strlen (symbol));
  else if (g_ascii_strncasecmp (p, info->code, 3) == 0)
    p = skip_spaces (p + 3);

  if (!negative && *p == '-')
    {
      negative = TRUE;
      p = skip_spaces (p + 1);
    }

  /* Integer part, with optional groups of exactly three digits. */
  for (;;)
    {
      if (g_ascii_isdigit (*p))
        {
          if (!push_digit (&value, *p - '0'))
            goto overflow;
          int_digits++;
          group_digits++;
          p++;
        }
      else if (has_prefix_nonempty (p, group_sep))
        {
          if (int_digits == 0 || (grouped && group_digits != 3) || (!grouped && group_digits > 3))
            return set_invalid (error, trimmed, _("the digit grouping is wrong"));
          grouped = TRUE;
          group_digits = 0;
          p += strlen (group_sep);
          if (!g_ascii_isdigit (*p))
            return set_invalid (error, trimmed, _("the digit grouping is wrong"));
        }
      else
        break;
    }

  if (grouped && group_digits != 3)
    return set_invalid (error, trimmed, _("the digit grouping is wrong"));

  if (has_prefix_nonempty (p, decimal_sep))
    {
      p += strlen (decimal_sep);
      while (g_ascii_isdigit (*p))
        {
          frac_digits++;
          if (frac_digits > info->exponent)
            {
              if (info->exponent == 0)
                return set_invalid (error, trimmed,
                                    _("this currency has no decimal places"));
              g_autofree char *why =
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "at most %d decimal place is allowed",
                                              "at most %d decimal places are allowed",
                                              info->exponent),
                                 info->exponent);
              return set_invalid (error, trimmed, why);
            }
          if (!push_digit (&value, *p - '0'))
            goto overflow;
          p++;
        }
      if (frac_digits == 0)
        return set_invalid (error, trimmed, _("digits must follow the decimal separator"));
    }

  if (int_digits == 0 && frac_digits == 0)
    return set_invalid (error, trimmed, _("it has no digits"));

  /* A trailing symbol or code, as in "12,50 €" or "12.50 USD". */
  p = skip_spaces (p);
  if (has_prefix_nonempty (p, symbol))
    p = skip_spaces (p + strlen (symbol));
  else if (g_ascii_strncasecmp (p, info->code, 3) == 0)
    p = skip_spaces (p + 3);

  if (*p != '\0')
    return set_invalid (error, trimmed, _("it contains characters that are not part of an amount"));

  for (int i = frac_digits; i < info->exponent; i++)
    if (__builtin_mul_overflow (value, 10, &value))
      goto overflow;

  if (negative)
    value = -value;

  if (value < 0 && !(flags & CP_MONEY_PARSE_ALLOW_NEGATIVE))
    return set_invalid (error, trimmed, _("it must not be negative"));
  if (value == 0 && !(flags & CP_MONEY_PARSE_ALLOW_ZERO))
    return set_invalid (error, trimmed, _("it must be more than zero"));

  *out_minor = value;
  return TRUE;

overflow:
  g_set_error (error, CP_ERROR, CP_ERROR_OVERFLOW,
               _("“%s” is too large an amount"), trimmed);
  return FALSE;
}

static void
locale_separators (gboolean     monetary,
                   const char **decimal_sep,
                   const char **group_sep)
{
  const struct lconv *lc = localeconv ();
  const char *dec = monetary ? lc->mon_decimal_point : lc->decimal_point;
  const char *grp = monetary ? lc->mon_thousands_sep : lc->thousands_sep;

  if (dec == NULL || *dec == '\0')
    dec = ".";
  /* The C locale has no group separator, but people still type "1,234.56". */
  if (grp == NULL || *grp == '\0')
    grp = g_str_equal (dec, ",") ? "." : ",";

  *decimal_sep = dec;
  *group_sep = grp;
}

gboolean
cp_money_parse (const char        *text,
                const char        *currency,
                CpMoneyParseFlags  flags,
                gint64            *out_minor,
                GError           **error)
{
  const char *dec, *grp;
  g_autoptr(GError) local_error = NULL;

  locale_separators (FALSE, &dec, &grp);
  if (cp_money_parse_full (text, currency, dec, grp, flags, out_minor, &local_error))
    return TRUE;

  /* What cp_money_format() wrote, with LC_MONETARY's separators, must parse
   * back: es_MX groups money with a thin space but numbers with ",". */
  {
    const char *mon_dec, *mon_grp;

    locale_separators (TRUE, &mon_dec, &mon_grp);
    if ((!g_str_equal (mon_dec, dec) || !g_str_equal (mon_grp, grp)) &&
        g_error_matches (local_error, CP_ERROR, CP_ERROR_INVALID_INPUT) &&
        cp_money_parse_full (text, currency, mon_dec, mon_grp, flags, out_minor, NULL))
      return TRUE;
  }

  /* Keypads and scanners type "12.50" even where the locale writes "12,50". */
  if (!g_str_equal (dec, ".") && !g_str_equal (grp, ".") &&
      g_error_matches (local_error, CP_ERROR, CP_ERROR_INVALID_INPUT) &&
      cp_money_parse_full (text, currency, ".", NULL, flags, out_minor, NULL))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
cp_money_parse_decimal (const char        *text,
                        const char        *currency,
                        CpMoneyParseFlags  flags,
                        gint64            *out_minor,
                        GError           **error)
{
  /* Machine text: no symbol, no groups, no spaces. */
  if (text == NULL || *text == '\0' ||
      strspn (text, "-0123456789.") != strlen (text))
    return set_invalid (error, text ? text : "", _("it is not a plain decimal number"));

  return cp_money_parse_full (text, currency, ".", NULL, flags, out_minor, error);
}

static char *
format_digits (gint64      minor,
               int         exponent,
               const char *decimal_sep,
               const char *group_sep)
{
  GString *out = g_string_new (NULL);
  guint64 magnitude = minor < 0 ? (guint64) (-(minor + 1)) + 1 : (guint64) minor;
  guint64 scale = 1;
  g_autofree char *int_text = NULL;
  gsize len;

  for (int i = 0; i < exponent; i++)
    scale *= 10;

  int_text = g_strdup_printf ("%" G_GUINT64_FORMAT, magnitude / scale);
  len = strlen (int_text);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && group_sep != NULL)
        g_string_append (out, group_sep);
      g_string_append_c (out, int_text[i]);
    }

  if (exponent > 0)
    g_string_append_printf (out, "%s%0*" G_GUINT64_FORMAT,
                            decimal_sep, exponent, magnitude % scale);

  return g_string_free (out, FALSE);
}

char *
cp_money_format_full (gint64      minor,
                      const char *currency,
                      const char *decimal_sep,
                      const char *group_sep,
                      gboolean    with_symbol)
{
  int exponent = cp_currency_exponent (currency);
  g_autofree char *digits = NULL;
  const char *sign = minor < 0 ? "−" : "";

  if (exponent < 0)
    exponent = 2;
  if (decimal_sep == NULL)
    locale_separators (TRUE, &decimal_sep, &group_sep);

  digits = format_digits (minor, exponent, decimal_sep, group_sep);

  if (!with_symbol)
    return g_strconcat (sign, digits, NULL);

  /* Comma-decimal locales (es, de, fr) write the symbol after: "1.234,56 €". */
  if (g_str_equal (decimal_sep, ","))
    return g_strconcat (sign, digits, "\u00A0", cp_currency_symbol (currency), NULL);

  return g_strconcat (sign, cp_currency_symbol (currency), digits, NULL);
}

char *
cp_money_format (gint64      minor,
                 const char *currency)
{
  return cp_money_format_full (minor, currency, NULL, NULL, TRUE);
}

char *
cp_percent_bp_format (guint basis_points)
{
  const char *dec, *grp;
  guint frac = basis_points % 100;

  locale_separators (FALSE, &dec, &grp);
  if (frac == 0)
    return g_strdup_printf ("%u", basis_points / 100);
  if (frac % 10 == 0)
    return g_strdup_printf ("%u%s%u", basis_points / 100, dec, frac / 10);
  return g_strdup_printf ("%u%s%02u", basis_points / 100, dec, frac);
}

static gboolean
parse_percent_with (const char *text,
                    const char *dec,
                    guint      *out_bp)
{
  const char *p = text;
  guint whole = 0, frac = 0, whole_digits = 0, frac_digits = 0;

  for (; g_ascii_isdigit (*p); p++)
    {
      if (++whole_digits > 3)
        return FALSE;
      whole = whole * 10 + (guint) (*p - '0');
    }
  if (whole_digits == 0)
    return FALSE;
  if (g_str_has_prefix (p, dec))
    {
      for (p += strlen (dec); g_ascii_isdigit (*p); p++)
        {
          if (++frac_digits > 2)
            return FALSE;
          frac = frac * 10 + (guint) (*p - '0');
        }
      if (frac_digits == 0)
        return FALSE;
      if (frac_digits == 1)
        frac *= 10;
    }
  while (*p == ' ' || g_str_has_prefix (p, "\u00A0"))
    p += *p == ' ' ? 1 : strlen ("\u00A0");
  if (*p == '%')
    p++;
  if (*p != '\0' || whole * 100 + frac > 10000)
    return FALSE;
  *out_bp = whole * 100 + frac;
  return TRUE;
}

gboolean
cp_percent_bp_parse (const char *text,
                     guint      *out_bp)
{
  g_autofree char *copy = NULL;
  const char *dec, *grp;

  g_return_val_if_fail (out_bp != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (text));
  locale_separators (FALSE, &dec, &grp);
  if (parse_percent_with (copy, dec, out_bp))
    return TRUE;
  /* Keypads type "8.25" where the locale writes "8,25"; a rate is at most
   * 100, so a "." can never be a group separator here. */
  return !g_str_equal (dec, ".") && parse_percent_with (copy, ".", out_bp);
}

char *
cp_money_format_plain (gint64      minor,
                       const char *currency)
{
  int exponent = cp_currency_exponent (currency);
  g_autofree char *digits = format_digits (minor, exponent < 0 ? 2 : exponent, ".", NULL);

  return g_strconcat (minor < 0 ? "-" : "", digits, NULL);
}

gboolean
cp_money_add (gint64   a,
              gint64   b,
              gint64  *out,
              GError **error)
{
  if (__builtin_add_overflow (a, b, out))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_OVERFLOW, _("The amount is too large"));
      return FALSE;
    }
  return TRUE;
}

gboolean
cp_money_mul (gint64   a,
              gint64   b,
              gint64  *out,
              GError **error)
{
  if (__builtin_mul_overflow (a, b, out))
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_OVERFLOW, _("The amount is too large"));
      return FALSE;
    }
  return TRUE;
}

gboolean
cp_money_apply_rate_bp (gint64   amount,
                        gint     basis_points,
                        gint64  *out,
                        GError **error)
{
  __int128 product = (__int128) amount * basis_points;
  __int128 half = product < 0 ? -5000 : 5000;
  __int128 result = (product + half) / 10000;

  if (result > G_MAXINT64 || result < G_MININT64)
    {
      g_set_error_literal (error, CP_ERROR, CP_ERROR_OVERFLOW, _("The amount is too large"));
      return FALSE;
    }
  *out = (gint64) result;
  return TRUE;
}
