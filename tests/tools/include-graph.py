#!/usr/bin/python3
"""The include graph by folder, from the #include "..." lines of the tree.

Prints one line per folder pair, FROM -> TO: N includes (files), and fails
(exit 1) when an include points up a layer: common is the bottom, then
profiles, checks, launcher (DESIGN.md, "Layers and folders").  The build
enforces the same (each folder's library sees only its own and lower
include paths); this names every offending line at once.

usage: include-graph.py [SOURCE_ROOT]
"""
import os
import re
import sys

LAYERS = ['common', 'profiles', 'checks', 'launcher']
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    owner = {}
    for folder in LAYERS:
        for name in os.listdir(os.path.join(root, folder)):
            if name.endswith('.h'):
                if name in owner:
                    print(f'{folder}/{name}: the same header name as {owner[name]}/{name}')
                    return 1
                owner[name] = folder
    edges = {}
    bad = []
    for folder in LAYERS:
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(folder, name)
            with open(os.path.join(root, path), encoding='utf-8') as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = os.path.basename(m.group(1))
                    to = owner.get(inc)
                    if to is None:
                        continue   # generated or outside the layers
                    edges.setdefault((folder, to), set()).add(path)
                    if LAYERS.index(to) > LAYERS.index(folder):
                        bad.append(f'{path}:{lineno}: includes {to}/{inc}, a higher layer')
    for (a, b), files in sorted(edges.items(), key=lambda e: (LAYERS.index(e[0][0]),
                                                               LAYERS.index(e[0][1]))):
        arrow = '->' if LAYERS.index(b) <= LAYERS.index(a) else '=> UP'
        print(f'{a:9} {arrow} {b:9} {len(files)} files')
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
