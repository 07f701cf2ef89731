#!/usr/bin/env python3
"""Writes a binary crate that calls every operation of a generated crate once (from the
operations' own doc examples), so that building it compiles each call's send/request/decode
and the types' decoders: what an application calling every operation pays, which the crate's
own build (`xtask bench --build`) does not show. BENCHMARKS.md ("Idle re-take, 2026-12-06")
has the figures and the procedure.

Usage: every_call_app.py CLIENT_DIR PACKAGE_NAME OUT_DIR
The futures are boxed as `dyn Future` so that their `poll` is compiled; the arguments are
values of any type from a function that panics: the program is built, never run."""
import os, re, sys

client, crate, out = sys.argv[1], sys.argv[2], sys.argv[3]
examples = []
for root, _, files in os.walk(os.path.join(client, "src")):
    for name in sorted(files):
        if not name.endswith(".rs") or name == "lib.rs":
            continue
        lines = open(os.path.join(root, name)).read().splitlines()
        block = None
        for line in lines:
            t = line.strip()
            if not t.startswith("///"):
                block = None
                continue
            t = t[3:]
            if t.startswith(" "):
                t = t[1:]
            if block is None:
                if t == "```no_run":
                    block = []
                continue
            if t == "```":
                examples.append(block)
                block = None
                continue
            if t.startswith("# "):
                t = t[2:]
            elif t == "#":
                t = ""
            block.append(t)

def arity(sig):
    start = sig.index("(") + 1
    depth, count, seen = 0, 0, False
    for ch in sig[start:]:
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            count += 1
        elif not ch.isspace():
            seen = True
    return count + 1 if seen else 0

fns, calls = [], []
for i, block in enumerate(examples):
    first = block[0]
    assert first.startswith("async fn example("), first
    n = arity(first)
    block[0] = first.replace("async fn example(", f"pub async fn ex{i}(", 1)
    fns.append("\n".join(block))
    calls.append(f"    v.push(Box::pin(ex::ex{i}({', '.join(['any()'] * n)})));")

os.makedirs(os.path.join(out, "src"), exist_ok=True)
rel = os.path.abspath(client)
open(os.path.join(out, "Cargo.toml"), "w").write(f"""[package]
name = "every-call"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
{crate} = {{ path = "{rel}" }}
uuid = "1"
chrono = {{ version = "0.4", default-features = false, features = ["std"] }}
serde_json = "1"
""")
open(os.path.join(out, "src", "main.rs"), "w").write(
    "#![allow(unused, clippy::all)]\n"
    "use std::{future::Future, pin::Pin};\n"
    "type Out = Result<(), Box<dyn std::error::Error>>;\n"
    "/// A value of any type for an argument: this program is compiled, never run.\n"
    "fn any<T>() -> T { panic!(\"compiled, never run\") }\n"
    "mod ex {\n" + "\n".join(fns) + "\n}\n"
    "fn main() {\n    let mut v: Vec<Pin<Box<dyn Future<Output = Out>>>> = Vec::new();\n"
    + "\n".join(calls) + "\n    std::hint::black_box(v);\n}\n")
print(f"{len(examples)} calls")
