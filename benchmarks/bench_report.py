# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report of benchmarks/run: the table, the ratios the targets are about, requests by route, steps.

Standard library only. ``rows`` are the dicts benchmarks/run.py fills (see Bench.new_row there).
"""

import statistics

PHASES = ('new', 'unchanged', 'changed')
PHASE_TITLES = {'new': 'all new', 'unchanged': 'unchanged', 'changed': '10% changed', 'all': '-'}
STEPS = ('login', 'read', 'decide', 'write', 'refresh', 'logout')


def _measured(row):
    return row['seconds'] is not None and row['requests'] is not None


def _figure(pattern, value):
    """``pattern % value``, or 'not measured' for None."""
    return 'not measured' if value is None else pattern % value


def _ratio(numerator, denominator, pattern='%.2f'):
    return 'not measured' if numerator is None or not denominator else pattern % (numerator / denominator)


def table(rows, repeat):
    header = ('N', 'kind', 'method', 'phase') + (('rep',) if repeat > 1 else ()) + (
        'wall s', 'work s', 'work CPU s', 'work MB', 'CPU s', 'requests', 'req/object', 'in Kuzzle s', 'result')
    lines = []
    for row in rows:
        measured, work = _measured(row), row.get('work') or {}
        lines.append((str(row['size']), row['kind'], row['label'], PHASE_TITLES[row['phase']]) + (
            (str(row['rep']),) if repeat > 1 else ()) + (
            '%.2f' % row['seconds'] if measured else '-',
            '%.2f' % work['wall'] if work.get('wall') is not None else '-',
            '%.2f' % work['cpu'] if work.get('cpu') is not None else '-',
            '%.0f' % (work['rss_kb'] / 1024.0) if work.get('rss_kb') else '-',
            '%.2f' % row['cpu'] if measured else '-',
            str(row['requests']) if measured else '-',
            '%.2f' % (row['requests'] / row['size']) if measured else '-',
            '%.2f' % row['in_kuzzle'] if measured else '-',
            row['result'],
        ))
    left = {'kind', 'method', 'phase', 'result'}
    widths = [max(len(line[i]) for line in [header] + lines) for i in range(len(header))]

    def fmt(line):
        return '  '.join(cell.ljust(w) if name in left else cell.rjust(w) for cell, w, name in zip(line, widths, header)).rstrip()
    return '\n'.join([fmt(header), fmt(tuple('-' * w for w in widths))] + [fmt(line) for line in lines])


def median_of(rows, size, kind, method, phase, field):
    """Median over the repetitions of ``field`` ('seconds', or 'work' for the work process's wall time); None if not measured."""
    values = []
    for row in rows:
        if (row['size'], row['kind'], row['method'], row['phase']) != (size, kind, method, phase) or not row['result'].startswith('ok'):
            continue
        value = row['seconds'] if field == 'seconds' else (row.get('work') or {}).get('wall')
        if value is not None:
            values.append(value)
    return statistics.median(values) if values else None


def loop_ratios(rows):
    """Issue 5's targets: (a) against the loops, profiles only."""
    lines = []
    for size in sorted(set(r['size'] for r in rows if r['kind'] == 'profiles')):
        def seconds(method, phase, size=size):
            return median_of(rows, size, 'profiles', method, phase, 'seconds')
        a, b = seconds('a', 'unchanged'), seconds('b', 'unchanged')
        if not (b or seconds('c', 'unchanged') or seconds('b-login', 'unchanged')):
            continue
        lines.append('N=%d unchanged: (a) %s (target < 5 s at N=1000); (b)/(a) %s (target >= 20 at N=1000)' % (
            size, _figure('%.2f s', a), _ratio(b, a, '%.1f')))
        for phase in PHASES:
            b, c, login = seconds('b', phase), seconds('c', phase), seconds('b-login', phase)
            lines.append('N=%d %s: (c)/(b) %s (target >= 1: (b) no slower than (c))%s' % (
                size, PHASE_TITLES[phase], _ratio(c, b), '' if login is None else '; (c)/(b after one kuzzle_login) %s' % _ratio(c, login)))
    return '\n'.join(lines)


def limit_ratios(rows, pool):
    """Issue 15's targets: (a)'s module time against the requests client doing the same work."""
    lines = []
    for size, kind in sorted(set((r['size'], r['kind']) for r in rows)):
        for phase in PHASES:
            module = median_of(rows, size, kind, 'a', phase, 'work')
            wall = median_of(rows, size, kind, 'a', phase, 'seconds')
            raw = median_of(rows, size, kind, 'raw', phase, 'seconds')
            pooled = median_of(rows, size, kind, 'raw-pool', phase, 'seconds')
            if module is None or not (raw or pooled):
                continue
            figures = (size, kind, PHASE_TITLES[phase], _figure('%.2f s', module), _figure('%.2f s', wall), pool,
                       _ratio(module, pooled), _ratio(module, raw))
            lines.append('N=%d %s %s: (a) module %s (play %s); module / requests pool of %d: %s (target <= 1.3); '
                         'module / requests sequential: %s' % figures)
    return '\n'.join(lines)


def steps_report(rows):
    """Where the time goes: the requests client's steps, and the module process against the whole play."""
    lines = []
    for row in rows:
        if not _measured(row) or not row['result'].startswith('ok'):
            continue
        where = 'N=%d %s %s, %s%s' % (row['size'], row['kind'], row['label'], PHASE_TITLES[row['phase']],
                                      ' (rep %d)' % row['rep'] if row.get('rep', 1) > 1 else '')
        if row.get('steps'):
            steps = row['steps']
            lines.append('%s: %s; in-process %.2f s of the process\'s %.2f s' % (
                where, ', '.join('%s %.3f' % (name, steps[name]) for name in STEPS if name in steps), steps['total'], row['seconds']))
        elif (row.get('work') or {}).get('wall') is not None:
            lines.append('%s: module process %.2f s (CPU %.2f s) of the play\'s %.2f s; the rest is ansible-playbook' % (
                where, row['work']['wall'], row['work']['cpu'], row['seconds']))
    return '\n'.join(lines)


def routes_report(rows):
    lines = []
    for row in rows:
        if row['routes']:
            parts = ['%s %d (%.1f ms)' % (route, count, 1000 * secs / count) for route, (count, secs) in sorted(row['routes'].items())]
            lines.append('N=%d %s %s, %s: %s' % (row['size'], row['kind'], row['method'], PHASE_TITLES[row['phase']], '; '.join(parts)))
    return '\n'.join(lines)


def print_report(report, args):
    rows = report['rows']
    print()
    print(table(rows, args.repeat))
    for title, text in (('Ratios against the loops (issue 5; wall time, medians):', loop_ratios(rows)),
                        ('Ratios against the limit (issue 15; medians):', limit_ratios(rows, args.pool)),
                        ('Where the time goes:', steps_report(rows)),
                        ('Requests by route (count, mean time Kuzzle took to answer):', routes_report(rows))):
        if text:
            print()
            print(title)
            print(text)
    print()
    if 'baseline' in report:
        (empty, empty_cpu), (loop, loop_cpu), items = report['baseline']
        print('Baselines (median of 3): an empty play takes %.2f s (%.2f s CPU); a loop of ansible.builtin.ping adds %.3f s '
              '(%.3f s CPU) per item (%d items).' % (empty, empty_cpu, (loop - empty) / items, (loop_cpu - empty_cpu) / items, items))
        print('The empty play with the N generated objects loaded as extra vars (as every Ansible method loads them): ' + '; '.join(
            'N=%d %s %.2f s (%.2f s CPU)' % (size, kind, wall, cpu) for size, kind, wall, cpu in report['baseline_vars']) + '.')
    if 'proxy' in report:
        direct, proxied = report['proxy']
        print('Counting proxy overhead: GET /_healthcheck %.2f ms direct, %.2f ms through the proxy: +%.2f ms per request (%d requests each).'
              % (1000 * direct, 1000 * proxied, 1000 * (proxied - direct), args.overhead_requests))
    if 'machine' in report:
        print('Machine: ' + '; '.join('%s: %s' % item for item in report['machine'].items()))
        print('Collection: %s. Load average (1, 5, 15 min) before: %s, after: %s.' % (
            report['collection'], ' '.join('%.2f' % x for x in report['load_before']),
            ' '.join('%.2f' % x for x in report.get('load_after', ())) or 'n/a'))
    print('Command: %s' % report['command'])
    for row in rows:
        if row.get('error'):
            print('\nN=%d %s %s %s failed:\n%s' % (row['size'], row['kind'], row['label'], PHASE_TITLES[row['phase']], row['error']))
