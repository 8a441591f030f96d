#!/usr/bin/env python3
"""Generate the man page ipc-emu.1 and the bash completion of ipc-emu from
the CLI's own help text (`ipc-emu --help`, `--version`, `help COMMAND`).

    gen_docs.py BIN --man OUT.1 --completion OUT.bash

Run at build time by CMake (target ipc-emu-docs), so both always describe
the binary they are installed with.  help2man is not used: it reads one
--help output, while ipc-emu's options live in the help of each command.

The help text's conventions this relies on (cli/*.c): a command's help
starts with `usage:` lines; a line ending in ':' at column 0 is a heading;
an option entry is a line indented 2-4 columns that starts with '-':
OPTION [METAVAR][, OPTION [METAVAR]]... then its description, continued on
deeper-indented lines.  Values an option takes are read from its entry:
`a|b|c`, sub-entries (`--scenario`), one-word lines (`--crash-point`).
"""
import argparse
import re
import subprocess
import sys

OPT_RE = re.compile(r"(--?[A-Za-z][\w-]*)(\[=[^\]]*\])?")
PIPE_RE = re.compile(r"(?<![\w|-])([a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)+)(?![\w|-])")
# Values no pattern of the help text gives.
EXTRA_VALUES = {"--sanitize": ["address", "undefined", "address,undefined"]}


def run(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        sys.exit(f"gen_docs: {binary} {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def is_entry(line):
    return 2 <= indent_of(line) <= 4 and line.lstrip().startswith("-") and \
        OPT_RE.match(line.lstrip()) is not None


def parse_entry(line):
    """'  --a X, --b Y  text' -> ([(opt, eqarg, [metavars])...], desc, desc_col)."""
    s = line
    pos = indent_of(line)
    opts = []
    while True:
        m = OPT_RE.match(s, pos)
        if not m:
            break
        name, eq = m.group(1), m.group(2)
        pos = m.end()
        metas = []
        while True:
            t = re.match(r" ([^ ]+)", s[pos:])
            if not t:
                break
            tok = t.group(1)
            after = s[pos + 1 + len(tok):]
            if tok.startswith("-") or tok.startswith(","):
                break
            # A lower-case word is a literal value only right after the option
            # and followed by the column gap (`--doorbell futex   ...`).
            literal = not metas and re.fullmatch(r"[a-z][a-z0-9-]*", tok) and \
                (after.startswith("  ") or after == "")
            if tok[0].isupper() or tok[0] == "[" or literal:
                metas.append(tok.rstrip(","))
                pos += 1 + len(tok)
                if tok.endswith(","):
                    pos -= 1
                    break
            else:
                break
        opts.append((name, eq, metas))
        if s.startswith(", -", pos):
            pos += 2
        elif s.startswith(" -", pos) and re.match(r" --?[A-Za-z]", s[pos:]):
            pos += 1
        else:
            break
    rest = s[pos:]
    desc = rest.strip()
    col = pos + (len(rest) - len(rest.lstrip(" "))) if desc else None
    return opts, desc, col


def split_blocks(text):
    """The help text as a list of (kind, payload): usage, heading, prose,
    entry (with its continuation lines), verbatim (indented lines)."""
    lines = text.rstrip("\n").split("\n")
    out = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if not ln.strip():
            out.append(("blank", None))
            i += 1
        elif ln.startswith("usage: ") or (out and out[-1][0] == "usage" and
                                          ln.startswith("       ")):
            body = ln[len("usage: "):] if ln.startswith("usage: ") else ln[7:]
            if out and out[-1][0] == "usage":
                out[-1][1].append(body)
            else:
                out.append(("usage", [body]))
            i += 1
        elif indent_of(ln) == 0 and ln.endswith(":") and len(ln) < 60:
            out.append(("heading", ln[:-1]))
            i += 1
        elif indent_of(ln) == 0:
            m = re.match(r"(exit status|Exit status): (.*)", ln)
            if m:
                out.append(("heading", m.group(1)))
                ln = m.group(2)
            para = [ln]
            i += 1
            while i < len(lines) and lines[i].strip() and indent_of(lines[i]) == 0 and \
                    not (lines[i].endswith(":") and len(lines[i]) < 60):
                para.append(lines[i])
                i += 1
            out.append(("prose", para))
        elif is_entry(ln):
            ind = indent_of(ln)
            body = [ln]
            i += 1
            while i < len(lines) and lines[i].strip() and indent_of(lines[i]) > ind and \
                    not is_entry(lines[i]):
                body.append(lines[i])
                i += 1
            out.append(("entry", body))
        else:
            body = [ln]
            i += 1
            while i < len(lines) and lines[i].strip() and indent_of(lines[i]) > 0 and \
                    not is_entry(lines[i]):
                body.append(lines[i])
                i += 1
            out.append(("verbatim", body))
    return out


# ------------------------------------------------------------------ man page


def esc(text):
    """Roff-escape running text (backslashes, minus signs, quotes)."""
    text = text.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq")
    return text.replace("`", "\\(ga")


def line_start(text):
    """A text line for roff: a leading '.' or quote must not be a request."""
    return "\\&" + text if text[:1] in (".", "'") or text.startswith("\\(aq") else text


def tag_of(opts):
    parts = []
    for name, eq, metas in opts:
        t = f"\\fB{esc(name)}\\fR"
        if eq:
            t += f"[=\\fI{esc(eq[2:-1])}\\fR]"
        for mv in metas:
            t += f" \\fI{esc(mv)}\\fR"
        parts.append(t)
    return ", ".join(parts)


def is_deflist(lines):
    """'  name  text' entries (continued on deeper lines): a definition list.
    The first entry sets the text column; later names may fill it up to one
    space ('  inspect decode ...')."""
    ind = indent_of(lines[0])
    first = re.match(r" *[a-z][\w-]* {2,}(?=\S)", lines[0])
    if not first or any(indent_of(v) < ind for v in lines):
        return False
    col = first.end()
    for v in lines:
        if indent_of(v) == ind:
            m = re.match(r" *[a-z][\w-]* +(?=\S)", v)
            if not m or m.end() < col:
                return False
    return True


def man_blocks(blocks, out):
    for kind, payload in blocks:
        if kind == "blank":
            continue
        if kind == "usage":
            out.append(".PP")
            out.append(".nf")
            out.extend(line_start(esc(u)) for u in payload)
            out.append(".fi")
        elif kind == "heading":
            out.append(f".SS \"{esc(payload[:1].upper() + payload[1:])}\"")
        elif kind == "prose":
            out.append(".PP")
            out.extend(line_start(esc(p)) for p in payload)
        elif kind == "verbatim" and is_deflist(payload):
            ind = indent_of(payload[0])
            for v in payload:
                m = re.match(r"([a-z][\w-]*) +(.*)", v.strip())
                if indent_of(v) == ind:
                    out.append(".TP")
                    out.append(f"\\fB{esc(m.group(1))}\\fR")
                    out.append(line_start(esc(m.group(2))))
                else:
                    out.append(line_start(esc(v.strip())))
        elif kind == "verbatim":
            common = min(indent_of(v) for v in payload)
            out.append(".PP")
            out.append(".nf")
            out.extend(line_start(esc(v[common:])) for v in payload)
            out.append(".fi")
        elif kind == "entry":
            opts, desc, col = parse_entry(payload[0])
            out.append(".TP")
            out.append(tag_of(opts))
            if col is None:  # the description starts on the next line
                col = indent_of(payload[1]) if len(payload) > 1 else 0
            broke = False
            first = True
            if desc:
                out.append(line_start(esc(desc)))
                first = False
            for cont in payload[1:]:
                text = cont.strip()
                single = re.fullmatch(r"[\w.-]+", text) is not None
                structured = single or indent_of(cont) != col
                # A sentence that starts on a new line after one without
                # punctuation is a new item of the help's layout: keep the break.
                prev = payload[payload.index(cont) - 1].rstrip()
                if re.match(r"[A-Z]", text) and not re.search(r"[.,;:(]$", prev) and \
                        cont is not payload[1]:
                    broke = True
                if structured or broke:
                    if not first:
                        out.append(".br")
                    sub = re.match(r"([a-z][\w-]*)\s{2,}(.*)", text)
                    if indent_of(cont) < col and sub:
                        text_roff = f"\\fB{esc(sub.group(1))}\\fR: {esc(sub.group(2))}"
                    elif single:
                        text_roff = f"\\fB{esc(text)}\\fR"
                    else:
                        text_roff = esc(text)
                    out.append(line_start(text_roff))
                    broke = single  # the text after a one-word line starts anew
                else:
                    out.append(line_start(esc(text)))
                first = False


def make_man(binary):
    version = run(binary, "--version").strip()
    top = run(binary, "--help")
    cmds = commands(top)
    desc = re.search(r"\n\n(.*?)\n\n", top, re.S).group(1).replace("\n", " ")
    name_line = re.sub(r"\s*\([^)]*\)", "", desc).rstrip(".")
    name_line = name_line[:1].lower() + name_line[1:]
    out = [
        '.\\" Generated by packaging/gen_docs.py from the help text of ' + esc(version) +
        "; do not edit.",
        f'.TH IPC\\-EMU 1 "" "{esc(version)}" "User Commands"',
        ".nh",
        ".ad l",
        ".SH NAME",
        f"ipc\\-emu \\- {esc(name_line)}",
        ".SH SYNOPSIS",
        ".nf",
    ]
    helps = {c: run(binary, "help", c) for c in cmds if c != "help"}
    for c, h in helps.items():
        for kind, payload in split_blocks(h):
            if kind == "usage":
                out.extend(line_start(esc(u)) for u in payload)
    out += ["ipc\\-emu help \\fICOMMAND\\fR", "ipc\\-emu \\-\\-help | \\-\\-version", ".fi",
            ".SH DESCRIPTION"]
    top_blocks = split_blocks(top)
    # The top-level help: description, commands, options, examples, exit status.
    renamed = []
    for kind, payload in top_blocks:
        if kind == "usage":
            continue
        if kind == "heading":
            kind, payload = "section", payload.upper()
        renamed.append((kind, payload))
    for kind, payload in renamed:
        if kind == "section":
            out.append(f".SH {esc(payload)}")
        else:
            man_blocks([(kind, payload)], out)
    for c, h in helps.items():
        out.append(f'.SH "IPC\\-EMU {esc(c.upper())}"')
        man_blocks(split_blocks(h), out)
    out += [".SH SEE ALSO",
            "The documentation in the source tree: docs/user\\-guide.md, "
            "docs/zephyr\\-compat.md, docs/python\\-harness.md."]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- completion


def commands(top):
    m = re.search(r"^commands:\n(.*?)\n\n", top, re.S | re.M)
    return re.findall(r"^  ([a-z][a-z-]*) +\S", m.group(1), re.M)


def values_of(body, opts):
    """Values an option takes, from its help entry."""
    first = body[0]
    vals = []
    for name, _, metas in opts:
        for mv in metas:
            if re.fullmatch(r"[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*", mv):
                vals += mv.split("|")
    _, desc, col = parse_entry(first)
    m = PIPE_RE.search(desc or "")
    if m:
        vals += m.group(1).split("|")
    if col is None and len(body) > 1:
        col = indent_of(body[1])
    for cont in body[1:]:
        text = cont.strip()
        sub = re.match(r"([a-z][\w-]*)\s{2,}", text)
        if col is not None and indent_of(cont) < col and sub:
            vals.append(sub.group(1))
        elif re.fullmatch(r"[a-z][a-z0-9]*_[a-z0-9_]+", text):
            vals.append(text)
    for name, _, _ in opts:
        vals += EXTRA_VALUES.get(name, [])
    seen = []
    for v in vals:
        if v not in seen:
            seen.append(v)
    return seen


def kind_of(name, metas):
    if not metas:
        return "none"
    mv = metas[0]
    if name in ("--dts",) or ".dts" in mv:
        return "dts"
    if "DIR" in mv or "CACHE" in mv:
        return "dir"
    if "FILE" in mv or "PROG" in mv or "PATH" in mv or re.fullmatch(r"\w+\.\w+", mv):
        return "file"
    return "word"


def command_options(help_text):
    """{option: (kind, [values])} of one command's help."""
    opts = {}
    for kind, payload in split_blocks(help_text):
        if kind == "usage":
            for u in payload:
                for m in re.finditer(r"(?<![\w-])(--?[A-Za-z][\w-]*)(\[=[^\]]*\])?"
                                     r"(?:[ ]([^ \]\[|]+(?:\|[^ \]\[|]+)*|\[[^ ]*\]?[^ \]]*))?",
                                     u):
                    name, eq, arg = m.group(1), m.group(2), m.group(3)
                    if arg and arg.startswith("-"):
                        arg = None
                    metas = [arg] if arg and not eq else []
                    k = kind_of(name, metas)
                    vals = arg.split("|") if arg and "|" in arg and not eq else []
                    old = opts.get(name)
                    if old is None or (old[0] == "none" and k != "none"):
                        opts[name] = (k if not vals else "word", vals)
                    elif vals:
                        opts[name] = (old[0] if old[0] != "none" else "word",
                                      old[1] + [v for v in vals if v not in old[1]])
        elif kind == "entry":
            entry_opts, _, _ = parse_entry(payload[0])
            vals = values_of(payload, entry_opts)
            for name, eq, metas in entry_opts:
                k = kind_of(name, metas) if not eq else "none"
                old = opts.get(name)
                merged = (old[1] if old else []) + [v for v in vals
                                                    if not old or v not in old[1]]
                if old and old[0] != "none" and k == "none":
                    k = old[0]
                opts[name] = (k, merged if k != "none" else [])
    return opts


def bash_words(words):
    assert all(re.fullmatch(r"[\w.,+-]+", w) for w in words), words  # no quoting needed
    return " ".join(words)


def make_completion(binary):
    top = run(binary, "--help")
    cmds = commands(top)
    per = {c: command_options(run(binary, "help", c)) for c in cmds if c != "help"}
    for opts in per.values():
        opts.setdefault("--help", ("none", []))
        # An option that refers to another command's list (`peer --crash-point`
        # as `run`'s) takes the values listed there.
        for name, (k, vals) in list(opts.items()):
            if k == "word" and not vals:
                for other in per.values():
                    if other.get(name, ("", []))[1]:
                        opts[name] = (k, other[name][1])
                        break
    out = [
        "# bash completion for ipc-emu: commands, the options of each command and the",
        "# values of its options.  Generated by packaging/gen_docs.py from the help",
        f"# text of {run(binary, '--version').strip()}; do not edit.",
        "",
        "_ipc_emu_dts() {",
        "    # --dts A.dts[,B.dts]: complete the file after the last comma",
        "    local cur=$1 head= part=$1",
        "    if [[ $cur == *,* ]]; then head=${cur%,*},; part=${cur##*,}; fi",
        "    local IFS=$'\\n' f",
        "    for f in $(compgen -d -- \"$part\"); do COMPREPLY+=(\"$head$f/\"); done",
        "    for f in $(compgen -f -X '!*.dts' -- \"$part\"); do",
        "        [[ -d $f ]] || COMPREPLY+=(\"$head$f\")",
        "    done",
        "    compopt -o nospace 2>/dev/null",
        "}",
        "",
        "_ipc_emu() {",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    local cmd= opts= kind= values= i IFS=$' \\t\\n'",
        "    COMPREPLY=()",
        "    if ((COMP_CWORD == 1)); then",
        f"        COMPREPLY=($(compgen -W '{bash_words(cmds)} --help --version' -- \"$cur\"))",
        "        return 0",
        "    fi",
        "    cmd=${COMP_WORDS[1]}",
        "    # Readline splits words at ':' and '=' (COMP_WORDBREAKS):",
        "    # `--crash-point remote:NAME` and `--opt=VALUE` arrive as three words.",
        "    local back=3",
        "    if [[ $cur == : || $cur == = ]]; then prev=$cur; cur=; back=2; fi",
        "    if [[ $prev == : ]] && ((COMP_CWORD > back)); then",
        "        prev=${COMP_WORDS[COMP_CWORD-back]}",
        "        [[ $prev == --crash-point ]] || return 0",
        "    elif [[ $prev == = ]]; then",
        "        [[ ${COMP_WORDS[COMP_CWORD-back+1]} == --zephyr-cache ]] || return 0",
        "        COMPREPLY=($(compgen -d -- \"$cur\")); compopt -o filenames 2>/dev/null",
        "        return 0",
        "    fi",
        "    # `--` ends the options (run --host P --remote P -- ARGS): files",
        "    for ((i = 2; i < COMP_CWORD; i++)); do",
        "        if [[ ${COMP_WORDS[i]} == -- ]]; then",
        "            COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null",
        "            return 0",
        "        fi",
        "    done",
        "    case $cmd in",
        f"    help) ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W '{bash_words(cmds)}' -- \"$cur\"))",
        "        return 0 ;;",
    ]
    for c, opts in per.items():
        names = sorted(opts)
        out.append(f"    {c})")
        out.append(f"        opts='{bash_words(names)}'")
        out.append("        case $prev in")
        groups = {}
        for name in names:
            k, vals = opts[name]
            if k == "none":
                continue
            key = (k, tuple(vals) if k == "word" else ())
            groups.setdefault(key, []).append(name)
        for (k, vals), group in groups.items():
            pat = "|".join(group)
            if k == "word":
                out.append(f"        {pat}) kind=word values='{bash_words(vals)}' ;;")
            else:
                out.append(f"        {pat}) kind={k} ;;")
        out.append("        esac ;;")
    out += [
        "    *) return 0 ;;",
        "    esac",
        "    case $kind in",
        "    word) [[ -n $values ]] && COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))",
        "          return 0 ;;",
        "    dts) _ipc_emu_dts \"$cur\"; return 0 ;;",
        "    dir) COMPREPLY=($(compgen -d -- \"$cur\")); compopt -o filenames 2>/dev/null",
        "         return 0 ;;",
        "    file) COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null",
        "          return 0 ;;",
        "    esac",
        "    if [[ $cur == -* || $cmd != check ]]; then",
        "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))",
        "    else",
        "        _ipc_emu_dts \"$cur\"   # check HOST.dts [REMOTE.dts]",
        "    fi",
        "    return 0",
        "}",
        "complete -F _ipc_emu ipc-emu",
    ]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--man")
    ap.add_argument("--completion")
    a = ap.parse_args()
    if a.man:
        with open(a.man, "w") as f:
            f.write(make_man(a.binary))
    if a.completion:
        with open(a.completion, "w") as f:
            f.write(make_completion(a.binary))


if __name__ == "__main__":
    main()
