/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>

#include "cp-error.h"
#include "cp-money.h"

typedef struct {
  const char *text;
  const char *currency;
  gint64      expected;
} GoodCase;

typedef struct {
  const char *text;
  const char *currency;
  int         code;
} BadCase;

static void
test_currency (void)
{
  g_assert_cmpint (cp_currency_exponent ("USD"), ==, 2);
  g_assert_cmpint (cp_currency_exponent ("usd"), ==, 2);
  g_assert_cmpint (cp_currency_exponent ("JPY"), ==, 0);
  g_assert_cmpint (cp_currency_exponent ("KWD"), ==, 3);
  g_assert_cmpint (cp_currency_exponent ("XXX"), ==, -1);
  g_assert_cmpint (cp_currency_exponent ("US"), ==, -1);
  g_assert_cmpint (cp_currency_exponent (NULL), ==, -1);
  g_assert_cmpstr (cp_currency_symbol ("EUR"), ==, "€");
  g_assert_cmpstr (cp_currency_symbol ("XYZ"), ==, "XYZ");

  CpMoney m = cp_money_init (1250, "usd");
  g_assert_cmpint (m.amount, ==, 1250);
  g_assert_cmpstr (m.currency, ==, "USD");
}

static void
test_parse_good (void)
{
  static const GoodCase cases[] = {
    { "12", "USD", 1200 },
    { "12.5", "USD", 1250 },
    { "12.50", "USD", 1250 },
    { "0.01", "USD", 1 },
    { ".75", "USD", 75 },
    { "1,234.56", "USD", 123456 },
    { "1,234,567.89", "USD", 123456789 },
    { "1234567.89", "USD", 123456789 },
    { "$12.50", "USD", 1250 },
    { "  $ 12.50  ", "USD", 1250 },
    { "12.50 USD", "USD", 1250 },
    { "usd 12.50", "USD", 1250 },
    { "1500", "JPY", 1500 },
    { "¥1,500", "JPY", 1500 },
    { "1.234", "KWD", 1234 },
    { "92233720368547758.07", "USD", G_MAXINT64 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 value = -1;

      g_test_message ("parsing %s", cases[i].text);
      g_assert_true (cp_money_parse_full (cases[i].text, cases[i].currency, ".", ",",
                                          CP_MONEY_PARSE_DEFAULT, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpint (value, ==, cases[i].expected);
    }
}

static void
test_parse_bad (void)
{
  static const BadCase cases[] = {
    { "12.345", "USD", CP_ERROR_INVALID_INPUT },
    { "abc", "USD", CP_ERROR_INVALID_INPUT },
    { "", "USD", CP_ERROR_INVALID_INPUT },
    { "   ", "USD", CP_ERROR_INVALID_INPUT },
    { "-5.00", "USD", CP_ERROR_INVALID_INPUT },
    { "0", "USD", CP_ERROR_INVALID_INPUT },
    { "0.00", "USD", CP_ERROR_INVALID_INPUT },
    { "12.", "USD", CP_ERROR_INVALID_INPUT },
    { "1,23.00", "USD", CP_ERROR_INVALID_INPUT },
    { "12,34", "USD", CP_ERROR_INVALID_INPUT },
    { "1234,567", "USD", CP_ERROR_INVALID_INPUT },
    { ",123", "USD", CP_ERROR_INVALID_INPUT },
    { "1,,234", "USD", CP_ERROR_INVALID_INPUT },
    { "12.5.0", "USD", CP_ERROR_INVALID_INPUT },
    { "12 50", "USD", CP_ERROR_INVALID_INPUT },
    { "1e3", "USD", CP_ERROR_INVALID_INPUT },
    { "0x10", "USD", CP_ERROR_INVALID_INPUT },
    { "€12", "USD", CP_ERROR_INVALID_INPUT },
    { "12.5", "JPY", CP_ERROR_INVALID_INPUT },
    { "1.2345", "KWD", CP_ERROR_INVALID_INPUT },
    { "12", "XYZ", CP_ERROR_INVALID_INPUT },
    { "92233720368547758.08", "USD", CP_ERROR_OVERFLOW },
    { "99999999999999999999999", "USD", CP_ERROR_OVERFLOW },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 value = 4242;

      g_test_message ("parsing %s", cases[i].text);
      g_assert_false (cp_money_parse_full (cases[i].text, cases[i].currency, ".", ",",
                                           CP_MONEY_PARSE_DEFAULT, &value, &error));
      g_assert_error (error, CP_ERROR, cases[i].code);
      g_assert_nonnull (error->message);
      g_assert_cmpint (value, ==, 4242); /* untouched on failure */
    }
}

static void
test_parse_flags (void)
{
  g_autoptr(GError) error = NULL;
  gint64 value = 0;

  g_assert_true (cp_money_parse_full ("-5.00", "USD", ".", ",", CP_MONEY_PARSE_ALLOW_NEGATIVE,
                                      &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, -500);

  g_assert_true (cp_money_parse_full ("-$1,000.10", "USD", ".", ",", CP_MONEY_PARSE_ALLOW_NEGATIVE,
                                      &value, &error));
  g_assert_cmpint (value, ==, -100010);

  g_assert_true (cp_money_parse_full ("0", "USD", ".", ",", CP_MONEY_PARSE_ALLOW_ZERO,
                                      &value, &error));
  g_assert_cmpint (value, ==, 0);

  g_assert_true (cp_money_parse_full ("-92233720368547758.08", "USD", ".", ",",
                                      CP_MONEY_PARSE_ALLOW_NEGATIVE, &value, &error) == FALSE);
  g_assert_error (error, CP_ERROR, CP_ERROR_OVERFLOW);
}

static void
test_parse_comma_locale (void)
{
  gint64 value = 0;
  g_autoptr(GError) error = NULL;

  /* Spanish: "1.234,56 €" */
  g_assert_true (cp_money_parse_full ("1.234,56", "EUR", ",", ".", 0, &value, &error));
  g_assert_cmpint (value, ==, 123456);
  g_assert_true (cp_money_parse_full ("1.234,56 €", "EUR", ",", ".", 0, &value, &error));
  g_assert_cmpint (value, ==, 123456);
  g_assert_true (cp_money_parse_full ("12,5", "EUR", ",", ".", 0, &value, &error));
  g_assert_cmpint (value, ==, 1250);
  g_assert_no_error (error);

  g_assert_false (cp_money_parse_full ("12,345", "EUR", ",", ".", 0, &value, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* French groups with a narrow no-break space. */
  g_assert_true (cp_money_parse_full ("1\u202F234,56", "EUR", ",", "\u202F", 0, &value, &error));
  g_assert_cmpint (value, ==, 123456);
}

static void
test_parse_current_locale (void)
{
  gint64 value = 0;
  g_autoptr(GError) error = NULL;

  /* Tests run in C.UTF-8: "." decimal, and "," is still taken as group. */
  g_assert_true (cp_money_parse ("1,234.50", "USD", 0, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, 123450);
  g_assert_false (cp_money_parse ("12.345", "USD", 0, &value, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_parse_decimal (void)
{
  gint64 value = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (cp_money_parse_decimal ("1234.5", "USD", 0, &value, &error));
  g_assert_cmpint (value, ==, 123450);
  g_assert_true (cp_money_parse_decimal ("-0.10", "USD", CP_MONEY_PARSE_ALLOW_NEGATIVE, &value, &error));
  g_assert_cmpint (value, ==, -10);
  g_assert_no_error (error);

  g_assert_false (cp_money_parse_decimal ("1,234.50", "USD", 0, &value, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (cp_money_parse_decimal ("$5", "USD", 0, &value, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (cp_money_parse_decimal ("12.001", "USD", 0, &value, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_INVALID_INPUT);
}

static void
test_format (void)
{
  struct { gint64 minor; const char *cur; const char *dec; const char *grp; const char *expected; } cases[] = {
    { 0, "USD", ".", ",", "$0.00" },
    { 5, "USD", ".", ",", "$0.05" },
    { 123456, "USD", ".", ",", "$1,234.56" },
    { 123456789, "USD", ".", ",", "$1,234,567.89" },
    { -1250, "USD", ".", ",", "−$12.50" },
    { 1500, "JPY", ".", ",", "¥1,500" },
    { 1234, "KWD", ".", ",", "KWD1.234" },
    { 123456, "EUR", ",", ".", "1.234,56\u00A0€" },
    { G_MAXINT64, "USD", ".", ",", "$92,233,720,368,547,758.07" },
    { G_MININT64, "USD", ".", ",", "−$92,233,720,368,547,758.08" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cp_money_format_full (cases[i].minor, cases[i].cur,
                                                    cases[i].dec, cases[i].grp, TRUE);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_format_plain_roundtrip (void)
{
  const gint64 values[] = { 1, 99, 100, 123456, 999999999999, G_MAXINT64 };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = cp_money_format_plain (values[i], "USD");
      gint64 back = 0;
      g_autoptr(GError) error = NULL;

      g_assert_true (cp_money_parse_decimal (text, "USD", 0, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (back, ==, values[i]);
    }

  g_autofree char *neg = cp_money_format_plain (-705, "USD");
  g_assert_cmpstr (neg, ==, "-7.05");
  g_autofree char *yen = cp_money_format_plain (1500, "JPY");
  g_assert_cmpstr (yen, ==, "1500");
}

static void
test_arithmetic (void)
{
  gint64 out = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (cp_money_add (100, 250, &out, &error));
  g_assert_cmpint (out, ==, 350);
  g_assert_true (cp_money_mul (3, 1999, &out, &error));
  g_assert_cmpint (out, ==, 5997);
  g_assert_no_error (error);

  g_assert_false (cp_money_add (G_MAXINT64, 1, &out, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_OVERFLOW);
  g_clear_error (&error);
  g_assert_false (cp_money_mul (G_MAXINT64 / 2, 3, &out, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_OVERFLOW);
  g_clear_error (&error);

  /* Tax rounds half away from zero: 8.25 % of $10.10 is 83.325 cents -> 83. */
  g_assert_true (cp_money_apply_rate_bp (1010, 825, &out, &error));
  g_assert_cmpint (out, ==, 83);
  g_assert_true (cp_money_apply_rate_bp (1000, 825, &out, &error)); /* 82.5 -> 83 */
  g_assert_cmpint (out, ==, 83);
  g_assert_true (cp_money_apply_rate_bp (-1000, 825, &out, &error));
  g_assert_cmpint (out, ==, -83);
  g_assert_true (cp_money_apply_rate_bp (12345, 0, &out, &error));
  g_assert_cmpint (out, ==, 0);
  g_assert_true (cp_money_apply_rate_bp (G_MAXINT64, 10000, &out, &error));
  g_assert_cmpint (out, ==, G_MAXINT64);
  g_assert_false (cp_money_apply_rate_bp (G_MAXINT64, 10001, &out, &error));
  g_assert_error (error, CP_ERROR, CP_ERROR_OVERFLOW);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/carepay/money/currency", test_currency);
  g_test_add_func ("/carepay/money/parse-good", test_parse_good);
  g_test_add_func ("/carepay/money/parse-bad", test_parse_bad);
  g_test_add_func ("/carepay/money/parse-flags", test_parse_flags);
  g_test_add_func ("/carepay/money/parse-comma-locale", test_parse_comma_locale);
  g_test_add_func ("/carepay/money/parse-current-locale", test_parse_current_locale);
  g_test_add_func ("/carepay/money/parse-decimal", test_parse_decimal);
  g_test_add_func ("/carepay/money/format", test_format);
  g_test_add_func ("/carepay/money/format-plain-roundtrip", test_format_plain_roundtrip);
  g_test_add_func ("/carepay/money/arithmetic", test_arithmetic);

  return g_test_run ();
}
