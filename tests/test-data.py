#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks CarePay's desktop integration files and Flatpak manifest; prints TAP.

Run by `meson test --suite data`. Validates the files as built (desktop
entries, metainfo, D-Bus service, which must really activate the built
carepay and get a window: needs a display, else that check is skipped), the
GSettings schemas, the icons, the
translation list, what `meson install` would install, and the structure of
flatpak/org.stingrays.CarePay.json against the project's real build
(its executables and options, read from meson's introspection files).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

results = []


def check(name):
    """Decorator: runs a check; a check returns None (ok) or raises."""
    def wrap(fn):
        try:
            fn()
            results.append((True, name, None))
        except Todo as e:
            results.append((False, name, ('TODO', str(e))))
        except Skip as e:
            results.append((True, name, ('SKIP', str(e))))
        except Exception as e:  # noqa: BLE001 - any failure is a "not ok"
            results.append((False, name, ('FAIL', str(e))))
        return fn
    return wrap


class Todo(Exception):
    """Known gap that another part of the project still has to fill."""


class Skip(Exception):
    """The check cannot run here (e.g. no display)."""


def fail(msg):
    raise AssertionError(msg)


def run(cmd):
    exe = shutil.which(cmd[0])
    if exe is None:
        fail(f'{cmd[0]} is not installed (see build-aux/debian-packages.txt)')
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, check=False)
    return p.returncode, p.stdout


def read_desktop(path):
    """Returns the [Desktop Entry] group of a desktop file as a dict."""
    entry = {}
    group = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            if line.startswith('['):
                group = line.strip('[]')
                continue
            if group == 'Desktop Entry' and '=' in line:
                k, v = line.split('=', 1)
                entry[k.strip()] = v.strip()
    return entry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source-dir', default=os.environ.get('CAREPAY_SOURCE_DIR'))
    ap.add_argument('--build-dir', default=os.environ.get('CAREPAY_BUILD_DIR'))
    ap.add_argument('--app-id', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--desktop', required=True)
    ap.add_argument('--kiosk-desktop', required=True)
    ap.add_argument('--autostart', required=True)
    ap.add_argument('--metainfo', required=True)
    ap.add_argument('--service', required=True)
    args = ap.parse_args()

    src = args.source_dir
    build = args.build_dir
    app_id = args.app_id
    info = os.path.join(build, 'meson-info')

    def load_info(name):
        with open(os.path.join(info, f'intro-{name}.json'), encoding='utf-8') as f:
            return json.load(f)

    targets = load_info('targets')
    options = load_info('buildoptions')
    installed = load_info('installed')
    opt = {o['name']: o['value'] for o in options}
    bindir = os.path.join(opt['prefix'], opt['bindir'])
    datadir = os.path.join(opt['prefix'], opt['datadir'])
    installed_programs = {t['name'] for t in targets
                          if t['type'] == 'executable' and t.get('installed')}

    # ---- desktop entries -------------------------------------------------

    def validate_desktop(path):
        rc, out = run(['desktop-file-validate', path])
        # desktop-file-validate prints hints too; only errors/warnings count.
        bad = [l for l in out.splitlines() if 'error:' in l or 'warning:' in l]
        if rc != 0 or bad:
            fail(out.strip() or f'exit status {rc}')

    @check('desktop file valid (desktop-file-validate)')
    def _():
        validate_desktop(args.desktop)

    @check('kiosk desktop file valid (desktop-file-validate)')
    def _():
        validate_desktop(args.kiosk_desktop)

    @check('kiosk autostart file valid (desktop-file-validate)')
    def _():
        validate_desktop(args.autostart)

    @check('desktop entries start the right programs with the app icon')
    def _():
        main_e = read_desktop(args.desktop)
        kiosk = read_desktop(args.kiosk_desktop)
        auto = read_desktop(args.autostart)
        if os.path.basename(args.desktop) != app_id + '.desktop':
            fail(f'desktop file must be named {app_id}.desktop')
        if main_e.get('Exec', '').split()[0] != 'carepay':
            fail(f'Exec is {main_e.get("Exec")!r}')
        if main_e.get('DBusActivatable') != 'true':
            fail('staff entry is not DBusActivatable')
        for name, e in (('kiosk', kiosk), ('autostart', auto)):
            if e.get('Exec', '').split() != ['carepay', '--kiosk']:
                fail(f'{name} Exec is {e.get("Exec")!r}, want "carepay --kiosk"')
            if e.get('DBusActivatable') == 'true':
                fail(f'{name} entry must not be DBusActivatable (bus name is the staff app\'s)')
        if 'carepay' not in installed_programs:
            fail('carepay is not an installed program')
        for e in (main_e, kiosk, auto):
            if e.get('Icon') != app_id:
                fail(f'Icon is {e.get("Icon")!r}')
        for cat in ('Office', 'Finance'):
            if cat not in main_e.get('Categories', '').split(';'):
                fail(f'Categories lack {cat}')
        name = main_e.get('Name')
        if name != 'CarePay':
            fail(f'Name is {name!r}')

    # ---- metainfo --------------------------------------------------------

    @check('metainfo valid (appstreamcli validate --no-net: no errors, no warnings)')
    def _():
        rc, out = run(['appstreamcli', 'validate', '--no-net', '--explain', args.metainfo])
        bad = [l for l in out.splitlines() if re.match(r'^[EW]: ', l)]
        if rc != 0 or bad:
            fail(out.strip())

    try:
        meta = ET.parse(args.metainfo).getroot()
    except (OSError, ET.ParseError) as e:
        meta = ET.Element('unreadable')
        print(f'# cannot read {args.metainfo}: {e}')

    @check('metainfo matches the app: id, launchable, binaries, D-Bus name, release')
    def _():
        if meta.findtext('id') != app_id:
            fail(f'id is {meta.findtext("id")!r}')
        launch = meta.find('launchable')
        if launch is None or launch.text != os.path.basename(args.desktop):
            fail('launchable is not the built desktop file')
        binaries = {b.text for b in meta.findall('provides/binary')}
        want = {'carepay', 'carepayctl', 'carepay-stripe-sim'}
        if binaries != want:
            fail(f'provides {sorted(binaries)}, want {sorted(want)}')
        missing = binaries - installed_programs
        if missing:
            fail(f'<provides> names programs the build does not install: {sorted(missing)}')
        if meta.findtext('provides/dbus') != app_id:
            fail('provides/dbus is not the app id')
        rel = meta.find('releases/release')
        if rel is None or rel.get('version') != args.version:
            fail(f'newest release is not the project version {args.version}')
        if not re.fullmatch(r'\d{4}-\d{2}-\d{2}', rel.get('date', '')):
            fail('release date is not YYYY-MM-DD')
        if meta.findtext('project_license') != 'GPL-3.0-or-later':
            fail('project_license')
        if meta.findtext('metadata_license') != 'CC0-1.0':
            fail('metadata_license')
        if meta.find("content_rating[@type='oars-1.1']") is None:
            fail('no OARS 1.1 content rating')
        dl = meta.find('requires/display_length')
        if dl is None or dl.get('compare') != 'ge' or dl.text != '360':
            fail('requires display_length >= 360 missing')
        controls = {c.text for c in meta.findall('supports/control')}
        if not {'touch', 'keyboard', 'pointing'} <= controls:
            fail(f'supports controls {sorted(controls)}')
        if meta.findtext('translation') != 'carepay':
            fail('translation domain is not the gettext package')

    @check('metainfo screenshots are captioned and exist in data/screenshots/')
    def _():
        shots = meta.findall('screenshots/screenshot')
        if len(shots) < 3:
            fail(f'{len(shots)} screenshots, want at least 3')
        prefix = 'https://raw.githubusercontent.com/stingrays/carepay/main/'
        absent = []
        for s in shots:
            url = s.findtext('image') or ''
            if not url.startswith(prefix + 'data/screenshots/'):
                fail(f'screenshot URL {url!r}')
            if not (s.findtext('caption') or '').strip():
                fail(f'screenshot {url} has no caption')
            rel = url[len(prefix):]
            if not os.path.isfile(os.path.join(src, rel)):
                absent.append(rel)
        if absent:
            raise Todo('screenshots not taken yet: ' + ', '.join(absent))

    # ---- D-Bus activation ------------------------------------------------

    @check('D-Bus service activates the installed carepay as a GApplication service')
    def _():
        lines = open(args.service, encoding='utf-8').read().splitlines()
        if lines[0] != '[D-BUS Service]':
            fail('not a D-Bus service file')
        kv = dict(l.split('=', 1) for l in lines[1:] if '=' in l)
        if kv.get('Name') != app_id:
            fail(f'Name is {kv.get("Name")!r}')
        want = f'{bindir}/carepay --gapplication-service'
        if kv.get('Exec') != want:
            fail(f'Exec is {kv.get("Exec")!r}, want {want!r}')

    @check('D-Bus activation through the service file starts carepay with a window')
    def _():
        if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
            raise Skip('no display (the suite runs under xvfb-run)')
        for tool in ('dbus-run-session', 'gdbus'):
            if shutil.which(tool) is None:
                fail(f'{tool} is not installed')
        exe = [f for t in targets if t['name'] == 'carepay' and t['type'] == 'executable'
               for f in t['filename']]
        if not exe:
            fail('no carepay executable in the build')
        lines = open(args.service, encoding='utf-8').read().splitlines()
        installed_exec = f'{bindir}/carepay'
        tmp = tempfile.mkdtemp(prefix='carepay-activation-')
        try:
            # The built service file, with only the installed path of carepay
            # replaced by the freshly built one.
            sdir = os.path.join(tmp, 'share', 'dbus-1', 'services')
            os.makedirs(sdir)
            with open(os.path.join(sdir, f'{app_id}.service'), 'w', encoding='utf-8') as f:
                for l in lines:
                    if l.startswith('Exec=' + installed_exec + ' '):
                        l = 'Exec=' + exe[0] + l[len('Exec=' + installed_exec):]
                    f.write(l + '\n')
            env = dict(os.environ)
            env['XDG_DATA_DIRS'] = os.pathsep.join(
                [os.path.join(tmp, 'share'),
                 os.environ.get('XDG_DATA_DIRS') or '/usr/local/share:/usr/share'])
            for var, sub in (('XDG_DATA_HOME', 'data'), ('XDG_CONFIG_HOME', 'config'),
                             ('XDG_CACHE_HOME', 'cache'), ('XDG_STATE_HOME', 'state')):
                env[var] = os.path.join(tmp, sub)
            env.pop('CAREPAY_DB', None)
            env['GTK_A11Y'] = 'none'
            path = '/' + app_id.replace('.', '/')
            # Activate (auto-starting the service), wait until the app has
            # exported its first window, then quit it through app.quit.
            probe = f'''
set -e
gdbus call --session --timeout 60 --dest {app_id} --object-path {path} \\
  --method org.freedesktop.Application.Activate "{{}}" >/dev/null
i=0
until gdbus introspect --session --dest {app_id} --object-path {path}/window/1 2>/dev/null \\
      | grep -q org.gtk.Actions; do
  i=$((i + 1)); [ $i -le 300 ] || {{ echo "no window exported"; exit 1; }}
  sleep 0.1
done
echo "window exported"
gdbus call --session --dest {app_id} --object-path {path} \\
  --method org.gtk.Actions.Activate quit "[]" "{{}}" >/dev/null || true
'''
            p = subprocess.run(['dbus-run-session', '--', 'sh', '-c', probe], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=120, check=False)
            if p.returncode != 0 or 'window exported' not in p.stdout:
                fail(p.stdout.strip() or f'exit status {p.returncode}')
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # ---- GSettings -------------------------------------------------------

    @check('GSettings schemas compile (glib-compile-schemas --strict --dry-run)')
    def _():
        rc, out = run(['glib-compile-schemas', '--strict', '--dry-run',
                       os.path.join(src, 'data')])
        if rc != 0 or out.strip():
            fail(out.strip() or f'exit status {rc}')

    # ---- icons -----------------------------------------------------------

    @check('app icon (128x128) and symbolic icon (16x16) are SVGs of the right size')
    def _():
        svg = '{http://www.w3.org/2000/svg}svg'
        for rel, box in ((f'scalable/apps/{app_id}.svg', '0 0 128 128'),
                         (f'symbolic/apps/{app_id}-symbolic.svg', '0 0 16 16')):
            root = ET.parse(os.path.join(src, 'data', 'icons', 'hicolor', rel)).getroot()
            if root.tag != svg:
                fail(f'{rel} is not SVG')
            if root.get('viewBox') != box:
                fail(f'{rel} viewBox is {root.get("viewBox")!r}, want {box!r}')
        sym = open(os.path.join(src, 'data', 'icons', 'hicolor', 'symbolic', 'apps',
                                f'{app_id}-symbolic.svg'), encoding='utf-8').read()
        colours = set(re.findall(r'#[0-9a-fA-F]{3,6}\b', sym))
        if len(colours) > 1:
            fail(f'symbolic icon uses several colours: {sorted(colours)}')
        if '<mask' in sym or 'stroke=' in sym:
            fail('symbolic icon must be plain filled paths (GTK recolours fills only)')

    # ---- install ---------------------------------------------------------

    @check('meson install puts every data file where the desktop looks for it')
    def _():
        dests = set(installed.values())
        want = [
            f'{datadir}/applications/{app_id}.desktop',
            f'{datadir}/applications/{app_id}.Kiosk.desktop',
            f'{datadir}/metainfo/{app_id}.metainfo.xml',
            f'{datadir}/dbus-1/services/{app_id}.service',
            f'{datadir}/icons/hicolor/scalable/apps/{app_id}.svg',
            f'{datadir}/icons/hicolor/symbolic/apps/{app_id}-symbolic.svg',
            f'{datadir}/glib-2.0/schemas/{app_id}.gschema.xml',
            f'{datadir}/carepay/{app_id}.Kiosk.autostart.desktop',
        ]
        missing = [w for w in want if w not in dests]
        if missing:
            fail('not installed: ' + ', '.join(missing))

    @check('po/POTFILES.in lists the translatable data files, and every entry exists')
    def _():
        entries = [l.strip() for l in open(os.path.join(src, 'po', 'POTFILES.in'),
                                          encoding='utf-8')
                   if l.strip() and not l.startswith('#')]
        for f in (f'data/{app_id}.desktop.in', f'data/{app_id}.Kiosk.desktop.in',
                  f'data/{app_id}.metainfo.xml.in'):
            if f not in entries:
                fail(f'{f} is not in POTFILES.in')
        gone = [e for e in entries if not os.path.exists(os.path.join(src, e))]
        if gone:
            fail('POTFILES.in names missing files: ' + ', '.join(gone))

    # ---- Flatpak manifest -------------------------------------------------

    manifest_path = os.path.join(src, 'flatpak', f'{app_id}.json')
    manifest = {}

    @check('flatpak manifest is valid JSON')
    def _():
        nonlocal manifest
        with open(manifest_path, encoding='utf-8') as f:
            manifest = json.load(f)
        if not isinstance(manifest, dict) or not isinstance(manifest.get('modules'), list):
            fail('manifest is not an object with a modules list')

    @check('flatpak manifest app id, runtime and command match the project')
    def _():
        mid = manifest.get('id', manifest.get('app-id'))
        if mid != app_id:
            fail(f'id is {mid!r}')
        if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
            fail('runtime/sdk are not org.gnome.Platform/org.gnome.Sdk')
        ver = str(manifest.get('runtime-version', ''))
        # webkitgtk-6.0 is in the GNOME runtime from 44 on (GTK 4.10, libadwaita 1.3).
        if not ver.isdigit() or int(ver) < 44:
            fail(f'runtime-version {ver!r} lacks webkitgtk-6.0')
        cmd = manifest.get('command')
        if cmd not in installed_programs:
            fail(f'command {cmd!r} is not an installed program ({sorted(installed_programs)})')

    @check('flatpak finish-args are minimal (no home/host filesystem, no x11, no bus holes)')
    def _():
        fa = manifest.get('finish-args', [])
        forbidden = re.compile(r'^--(filesystem=(home|host|host-os|host-etc|~)\b.*'
                               r'|socket=(x11|session-bus|system-bus)$|device=all$)')
        bad = [a for a in fa if forbidden.match(a)]
        if bad:
            fail(f'too broad: {bad}')
        for need in ('--share=network', '--socket=wayland', '--socket=fallback-x11',
                     '--share=ipc', '--device=dri'):
            if need not in fa:
                fail(f'missing {need}')
        if len(set(fa)) != len(fa):
            fail('duplicate finish-args')

    def all_modules(mods):
        for m in mods:
            if isinstance(m, dict):
                yield m
                yield from all_modules(m.get('modules', []))

    @check('flatpak local sources exist and remote sources are pinned by sha256')
    def _():
        base = os.path.dirname(manifest_path)
        for m in all_modules(manifest.get('modules', [])):
            for s in m.get('sources', []):
                t = s.get('type')
                path = s.get('path')
                if t == 'git' and path is None and '://' not in s.get('url', ':// '):
                    path = s.get('url')
                if t in ('dir', 'git', 'file', 'patch', 'script') and path is not None:
                    p = os.path.normpath(os.path.join(base, path))
                    if not os.path.exists(p):
                        fail(f'{m["name"]}: {t} source {path!r} does not exist ({p})')
                    if t == 'dir' and m['name'] == 'carepay' and \
                            not os.path.isfile(os.path.join(p, 'meson.build')):
                        fail(f'carepay dir source {p} is not the project')
                if t in ('archive', 'file') and 'url' in s:
                    if not re.fullmatch(r'[0-9a-f]{64}', s.get('sha256', '')):
                        fail(f'{m["name"]}: {s["url"]} has no sha256')
                    if not s['url'].startswith('https://'):
                        fail(f'{m["name"]}: {s["url"]} is not https')
        names = [m.get('name') for m in manifest.get('modules', [])]
        if not names or names[-1] != 'carepay':
            fail(f'the last module must be carepay, modules are {names}')

    @check('flatpak meson options are ones the project (or meson) defines')
    def _():
        known = set(opt)
        for m in all_modules(manifest.get('modules', [])):
            if m.get('buildsystem') != 'meson' or m.get('name') != 'carepay':
                continue
            for o in m.get('config-opts', []):
                mo = re.fullmatch(r'(?:-D|--)([A-Za-z0-9_.:-]+)(?:=.*)?', o)
                if not mo:
                    fail(f'cannot read option {o!r}')
                if mo.group(1) not in known:
                    fail(f'unknown meson option {mo.group(1)!r}')

    # ---- report ------------------------------------------------------------

    print(f'1..{len(results)}')
    failed = 0
    for i, (ok, name, why) in enumerate(results, 1):
        if ok and why:
            print(f'ok {i} - {name} # SKIP {why[1]}')
        elif ok:
            print(f'ok {i} - {name}')
        elif why[0] == 'TODO':
            print(f'not ok {i} - {name} # TODO {why[1]}')
        else:
            failed += 1
            print(f'not ok {i} - {name}')
            for line in why[1].splitlines():
                print(f'# {line}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
