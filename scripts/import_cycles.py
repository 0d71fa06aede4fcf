#!/usr/bin/env python3
"""Import circles between the modules (files) of each crate.

Reads the top-level (unindented) `use crate::...` and `use super::...`
lines of every `src/**/*.rs`, maps each path to the module file it names
(the longest prefix that is a module), and prints every strongly connected
component of more than one module. Usage: scripts/import_cycles.py [ROOT]
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
USE = re.compile(r"^(?:pub(?:\([a-z]+\))? )?use (crate|super)::([^;]*);", re.M)


def module_of(src, path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(p.replace("r#", "") for p in rel)


def targets(tree, modules):
    """Module paths named by a use tree such as `a::{b::C, d}`."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, t):
        depth, start, parts = 0, 0, []
        if t.startswith("{") and t.endswith("}"):
            t = t[1:-1]
            for i, c in enumerate(t):
                depth += c == "{"
                depth -= c == "}"
                if c == "," and depth == 0:
                    parts.append(t[start:i])
                    start = i + 1
            parts.append(t[start:])
            for p in parts:
                if p:
                    walk(prefix, p)
            return
        head, _, rest = t.partition("::")
        path = prefix + (head.replace("r#", ""),)
        if rest:
            walk(path, rest)
        else:
            out.append(path)

    walk((), tree)
    resolved = []
    for p in out:
        while p and p not in modules:
            p = p[:-1]
        resolved.append(p)
    return resolved


def sccs(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


found = 0
for crate in sorted(os.listdir(ROOT)):
    src = os.path.join(ROOT, crate, "src")
    if not os.path.isdir(src):
        continue
    files = [os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs if f.endswith(".rs")]
    modules = {module_of(src, f): f for f in files}
    graph = {}
    for mod, f in modules.items():
        text = open(f, encoding="utf-8").read()
        edges = set()
        for kind, tree in USE.findall(text):
            base = () if kind == "crate" else mod[:-1]
            for t in targets(tree, set(m[len(base):] for m in modules if m[: len(base)] == base)):
                target = base + t
                if target != mod and target in modules and target != ():
                    edges.add(target)
        graph[mod] = edges
    for comp in sccs(graph):
        if len(comp) > 1:
            found += 1
            print(f"{crate}: " + " <-> ".join("::".join(m) for m in sorted(comp)))
print(f"{found} circle(s)")
