/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Money parsing and formatting. Input lines: currency, decimal separator,
 * group separator, "<flags digit> <int64>", then the text to parse.
 *
 * - cp_money_parse_full() with the fuzzed separators and flags, and
 *   cp_money_parse_decimal(), must honour the flags; a parsed value
 *   formatted with cp_money_format_full() (same separators, when they can
 *   be told apart from digits, signs and spaces) must parse back to itself.
 * - For the int64 and every parsed value: cp_money_format_plain() then
 *   cp_money_parse_decimal() gives the same value (all but G_MININT64,
 *   which is refused as an overflow on purpose: tests/test-money.c).
 * - Checked arithmetic agrees with 128-bit arithmetic. */
#include "config.h"

#include <string.h>

#include "cp-error.h"
#include "cp-money.h"
#include "fuzz-common.h"

#define ANY_SIGN (CP_MONEY_PARSE_ALLOW_NEGATIVE | CP_MONEY_PARSE_ALLOW_ZERO)

static void
check_plain_round_trip (gint64      value,
                        const char *currency)
{
  g_autofree char *plain = NULL;
  g_autoptr(GError) error = NULL;
  gint64 back = 0;

  if (!cp_currency_is_known (currency) || value == G_MININT64)
    return;
  plain = cp_money_format_plain (value, currency);
  FUZZ_CHECK (cp_money_parse_decimal (plain, currency, ANY_SIGN, &back, &error),
              "%" G_GINT64_FORMAT " %s formats as %s, which does not parse: %s",
              value, currency, plain, error->message);
  FUZZ_CHECK (back == value, "%" G_GINT64_FORMAT " %s -> %s -> %" G_GINT64_FORMAT,
              value, currency, plain, back);
}

/* Separators a person could tell from the digits, sign, symbol and spaces
 * around them. */
static gboolean
separator_is_distinct (const char *sep,
                       const char *currency)
{
  const char *symbol = cp_currency_symbol (currency);

  if (*sep == '\0' || !g_utf8_validate (sep, -1, NULL))
    return FALSE;
  for (const char *p = sep; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x80 && (g_ascii_isalnum (c) || c == '-'))
        return FALSE;
      if (g_unichar_isspace (c) || c == 0x00A0 || c == 0x202F || c == 0x2212 ||
          g_unichar_isdigit (c) || g_unichar_iscntrl (c))
        return FALSE;
      if (g_utf8_strchr (symbol, -1, c) != NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
separators_are_distinct (const char *decimal_sep,
                         const char *group_sep,
                         const char *currency)
{
  return separator_is_distinct (decimal_sep, currency) &&
         separator_is_distinct (group_sep, currency) &&
         !g_str_has_prefix (decimal_sep, group_sep) &&
         !g_str_has_prefix (group_sep, decimal_sep);
}

static void
check_parsed (gint64             value,
              CpMoneyParseFlags  flags)
{
  FUZZ_CHECK (value >= 0 || (flags & CP_MONEY_PARSE_ALLOW_NEGATIVE), "negative accepted");
  FUZZ_CHECK (value != 0 || (flags & CP_MONEY_PARSE_ALLOW_ZERO), "zero accepted");
}

static void
check_arithmetic (gint64 a,
                  gint64 b)
{
  __int128 sum = (__int128) a + b;
  __int128 product = (__int128) a * b;
  gint64 out = 0;
  gboolean ok;

  ok = cp_money_add (a, b, &out, NULL);
  FUZZ_CHECK (ok == (sum >= G_MININT64 && sum <= G_MAXINT64) && (!ok || out == sum), "add");
  ok = cp_money_mul (a, b, &out, NULL);
  FUZZ_CHECK (ok == (product >= G_MININT64 && product <= G_MAXINT64) && (!ok || out == product), "mul");
  ok = cp_money_apply_rate_bp (a, (gint) (b % 100000), &out, NULL);
  if (ok)
    {
      __int128 exact = (__int128) a * (gint) (b % 100000);
      __int128 diff = (__int128) out * 10000 - exact;

      /* within half a minor unit, rounded away from zero */
      FUZZ_CHECK (diff <= 5000 && diff >= -5000, "rate_bp rounding");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_auto(GStrv) fields = fuzz_split_fields (data, size, 5, NULL);
  const char *currency = fields[0];
  const char *decimal_sep = fields[1];
  const char *group_sep = fields[2];
  const char *numbers = fields[3];
  const char *text = fields[4];
  CpMoneyParseFlags flags = 0;
  g_autoptr(GError) error = NULL;
  gint64 value = 0;
  gint64 number = 0;

  if (g_ascii_isdigit (numbers[0]))
    flags = (numbers[0] - '0') & ANY_SIGN;
  if (numbers[0] != '\0')
    {
      number = g_ascii_strtoll (numbers + 1, NULL, 10);
      check_plain_round_trip (number, currency);
      check_arithmetic (number, (gint64) g_str_hash (text) * (text[0] == '-' ? -1 : 1));
    }

  (void) cp_currency_exponent (currency);
  (void) cp_currency_symbol (currency);

  /* Person's text, with the fuzzed separators (empty means none). */
  if (cp_money_parse_full (text, currency, decimal_sep, *group_sep ? group_sep : NULL,
                           flags, &value, &error))
    {
      check_parsed (value, flags);
      check_plain_round_trip (value, currency);
      if (separators_are_distinct (decimal_sep, group_sep, currency))
        {
          g_autofree char *formatted = cp_money_format_full (value, currency, decimal_sep, group_sep, TRUE);
          gint64 back = 0;

          g_clear_error (&error);
          FUZZ_CHECK (cp_money_parse_full (formatted, currency, decimal_sep, group_sep, ANY_SIGN, &back, &error),
                      "%s (from %s) does not parse: %s", formatted, text, error->message);
          FUZZ_CHECK (back == value, "%s -> %" G_GINT64_FORMAT " -> %s -> %" G_GINT64_FORMAT,
                      text, value, formatted, back);
        }
    }
  else
    FUZZ_CHECK (error != NULL && error->domain == CP_ERROR &&
                (error->code == CP_ERROR_INVALID_INPUT || error->code == CP_ERROR_OVERFLOW),
                "refused without a CP_ERROR");
  g_clear_error (&error);

  /* Machine text. */
  if (cp_money_parse_decimal (text, currency, flags, &value, &error))
    {
      check_parsed (value, flags);
      check_plain_round_trip (value, currency);
    }
  else
    FUZZ_CHECK (error != NULL, "refused without an error");
  g_clear_error (&error);

  /* Formatting any value must not crash, whatever the separators. */
  {
    g_autofree char *a = cp_money_format_full (number, currency, decimal_sep, group_sep, TRUE);
    g_autofree char *b = cp_money_format_full (number, currency, decimal_sep, NULL, FALSE);
    g_autofree char *c = cp_money_format_plain (number, currency);

    FUZZ_CHECK (a != NULL && b != NULL && c != NULL, "no text");
  }
  return 0;
}
