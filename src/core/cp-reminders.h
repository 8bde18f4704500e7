/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cp-mail.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* Payment reminders. A schedule is a list of offsets in days relative to an
 * invoice's due date: -7 is a week before, 0 the due date, 30 a month late.
 * On a given day an open invoice (not voided, balance due > 0, with an
 * e-mail address) is due the reminder of the latest offset already reached,
 * unless the send log shows that reminder sent or under way; so a missed day
 * is caught up the next, a reminder is never sent twice, and an invoice
 * entered late gets only its most recent reminder, not the whole backlog. */

#define CP_REMINDER_SCHEDULE_DEFAULT "-7,0,30,60,90"

typedef struct _CpReminderSchedule CpReminderSchedule;

/* "-7,0,30,60,90" (spaces allowed; sorted and deduplicated).
 * CP_ERROR_INVALID_INPUT for anything else, or offsets beyond ±3650 days. */
CpReminderSchedule *cp_reminder_schedule_parse     (const char                *text,
                                                    GError                   **error);
CpReminderSchedule *cp_reminder_schedule_new       (const int                 *offsets,
                                                    guint                      n_offsets);
void                cp_reminder_schedule_free      (CpReminderSchedule        *schedule);
char               *cp_reminder_schedule_to_string (const CpReminderSchedule  *schedule);
/* The latest offset <= days_from_due; FALSE when there is none. */
gboolean            cp_reminder_schedule_offset_for (const CpReminderSchedule *schedule,
                                                     int                       days_from_due,
                                                     int                      *out_offset);

typedef struct {
  gint64  invoice_id;
  char   *invoice_number;
  char   *mrn;
  char   *email;          /* NULL when the patient has none: cannot be sent */
  char   *due_date;
  gint64  balance_due;
  char   *currency;
  int     offset;         /* the schedule's offset */
  int     days_from_due;  /* today - due date */
  char   *kind;           /* the send log's kind, "reminder:<offset>" */
} CpReminder;

void        cp_reminder_free         (CpReminder *reminder);
char       *cp_reminder_kind         (int offset);

/* The reminders due on `today` (YYYY-MM-DD), oldest due date first. */
GPtrArray  *cp_reminders_due         (CpStore                   *store,
                                      const CpReminderSchedule  *schedule,
                                      const char                *today,
                                      GError                   **error);

/* Composes the reminder for `reminder` (with the invoice's active payment
 * link, when it has one) and sends it through `mailer`, which logs it. */
gboolean    cp_reminders_send_one    (CpStore                   *store,
                                      CpMailer                  *mailer,
                                      const CpReminder          *reminder,
                                      const char                *hospital_name,
                                      const char                *hospital_address,
                                      const char                *today,
                                      GCancellable              *cancellable,
                                      GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpReminderSchedule, cp_reminder_schedule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpReminder, cp_reminder_free)

G_END_DECLS
