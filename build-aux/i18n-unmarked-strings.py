#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Greps user-facing string literals not wrapped in gettext in src/app, src/kiosk, ui.
import glob, os, re, sys
root = (sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')).rstrip('/') + '/'
hits = []
# Language names written in their own language on purpose (the kiosk's switch).
ENDONYMS = {'English', 'Español'}
ui_props = re.compile(r'<property name="(label|title|subtitle|tooltip-text|tooltip-markup|placeholder-text|description|text|heading|body|secondary-text|primary-text|message)"(?![^>]*translatable="yes")[^>]*>([^<]*[A-Za-z]{2}[^<]*)</property>')
for f in sorted(glob.glob(root+'ui/*.ui')+glob.glob(root+'ui/gtk/*.ui')+glob.glob(root+'src/kiosk/*.ui')):
    for n, line in enumerate(open(f), 1):
        m = ui_props.search(line)
        if m and m.group(2) in ENDONYMS:
            continue
        if m and not re.fullmatch(r'[\w.-]+', m.group(2)) or (m and m.group(1) in ('label','title') and ' ' not in m.group(2) and m.group(2)[:1].isupper()):
            hits.append(f'{f[len(root):]}:{n}: {m.group(1)}={m.group(2)!r}')
        for attr in re.finditer(r'<(item|attribute name="label"|col)\b(?![^>]*translatable="yes")[^>]*>([A-Z][^<]+)</', line):
            hits.append(f'{f[len(root):]}:{n}: {attr.group(2)!r}')
setters = r'(gtk_label_set_(text|label|markup)|gtk_button_set_label|gtk_window_set_title|adw_toast_new|adw_window_title_set_(title|subtitle)|adw_preferences_row_set_title|adw_action_row_set_subtitle|adw_status_page_set_(title|description)|gtk_widget_set_tooltip_text|gtk_entry_set_placeholder_text|adw_message_dialog_(new|set_heading|set_body|add_response)|gtk_label_new|gtk_button_new_with_label|gtk_check_button_new_with_label|label_new|g_notification_new|g_notification_set_body|adw_toast_set_title|gtk_editable_set_text|adw_expander_row_set_subtitle|gtk_accessible_update_property|g_set_error_literal|g_set_error|g_task_return_new_error|g_printerr|g_print|g_string_append_printf|g_strdup_printf)'
lit = re.compile(setters + r'\s*\(([^;]*?)"([A-Z][^"]*[a-z][^"]*)"')
for f in sorted(glob.glob(root+'src/app/*.c')+glob.glob(root+'src/kiosk/*.c')):
    text = open(f).read()
    # join continuation lines roughly: scan statements
    for m in lit.finditer(text):
        pre = m.group(m.lastindex-1)
        start = m.start(m.lastindex) - 1
        before = text[max(0, start-12):start]
        if re.search(r'g_dngettext\s*\(\s*GETTEXT_PACKAGE\s*,\s*$', text[max(0,start-80):start]) or re.search(r'(\b_|C_|N_|NC_|gettext|g_dngettext|g_dpgettext2)\s*\(\s*$', before) or re.search(r'C_\s*\(\s*"[^"]*",\s*$', text[max(0,start-60):start]):
            continue
        line = text.count('\n', 0, start) + 1
        hits.append(f'{f[len(root):]}:{line}: {m.group(1)} "{m.group(m.lastindex)}"')
print('\n'.join(hits))
print(f'# {len(hits)} unmarked', file=sys.stderr)
sys.exit(1 if hits else 0)
