"""Shell completion scripts (bash, zsh, fish) generated from the argparse parsers of cli.py.

`describe(parser)` reads a parser's options (flags, whether they take a value, their choices)
and its sub-commands; `script(shell, spec)` writes the completion script. Nothing is written by
hand per option: a flag added to cli.py is completed the next time the script is generated.
Context names after `--context` come from `bcs-tui config contexts` when the shell completes
(a cheap command: it reads the config file, never a token).

    bcs-tui completion bash > ~/.local/share/bash-completion/completions/bcs-tui
    bcs-tui completion zsh  > "${fpath[1]}/_bcs-tui"
    bcs-tui completion fish > ~/.config/fish/completions/bcs-tui.fish
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

SHELLS = ("bash", "zsh", "fish")
PROG = "bcs-tui"
# Values completed as file names, and the options whose values are context names.
FILE_METAVARS = {"F", "FILE", "PATH"}
CONTEXT_OPTIONS = {"--context"}


@dataclass
class Option:
    flags: list[str]
    help: str = ""
    takes_value: bool = False
    choices: list[str] = field(default_factory=list)
    files: bool = False


@dataclass
class Command:
    name: str
    help: str = ""
    options: list[Option] = field(default_factory=list)
    subcommands: list[Command] = field(default_factory=list)
    positional_choices: list[str] = field(default_factory=list)
    positional_files: bool = False


def _clean(text: str | None) -> str:
    text = re.sub(r"\s+", " ", (text or "").replace("%(default)s", "")).strip()
    return text.split(" (")[0][:70] if len(text) > 70 else text


def describe(parser: argparse.ArgumentParser, name: str = PROG, help: str = "",
             extra: dict[str, argparse.ArgumentParser] | None = None,
             values: dict[str, list[str]] | None = None) -> Command:
    """The options and sub-commands of `parser` (and of `extra` parsers, as sub-commands).

    `values` gives the words for options argparse has no choices for (`--theme`: theme names).
    """
    values = values or {}
    cmd = Command(name=name, help=_clean(help))
    for action in parser._actions:  # argparse has no public API to list its actions
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for sub_name, sub_parser in action.choices.items():
                cmd.subcommands.append(describe(sub_parser, sub_name, helps.get(sub_name, "")))
            continue
        if not action.option_strings:
            if action.choices:
                cmd.positional_choices = [str(c) for c in action.choices]
            elif (action.metavar or "") in FILE_METAVARS:
                cmd.positional_files = True
            continue
        takes = action.nargs != 0
        cmd.options.append(Option(
            flags=list(action.option_strings), help=_clean(action.help), takes_value=takes,
            choices=([str(c) for c in action.choices] if action.choices
                     else next((values[f] for f in action.option_strings if f in values), [])),
            files=takes and (action.metavar or "") in FILE_METAVARS,
        ))
    for sub_name, sub_parser in (extra or {}).items():
        cmd.subcommands.append(describe(sub_parser, sub_name, sub_parser.description or ""))
    return cmd


def script(shell: str, spec: Command) -> str:
    if shell == "bash":
        return _bash(spec)
    if shell == "zsh":
        return _zsh(spec)
    if shell == "fish":
        return _fish(spec)
    raise ValueError(f"unknown shell {shell!r} (use {', '.join(SHELLS)})")


def _q(text: str) -> str:
    """Single-quoted for sh/zsh/fish."""
    return "'" + text.replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------------------- bash


def _bash_values(cmd: Command, indent: str) -> list[str]:
    """`case "$prev"` arms: choices, files, context names, or nothing for a free value."""
    lines = []
    for opt in cmd.options:
        if not opt.takes_value:
            continue
        pattern = "|".join(opt.flags)
        if opt.choices:
            body = f'COMPREPLY=($(compgen -W {_q(" ".join(opt.choices))} -- "$cur")); return'
        elif opt.files:
            body = 'COMPREPLY=($(compgen -f -- "$cur")); return'
        elif set(opt.flags) & CONTEXT_OPTIONS:
            body = f'COMPREPLY=($(compgen -W "$({PROG} config contexts 2>/dev/null)" -- "$cur")); return'
        else:
            body = "return"  # a free value (a number, a URL): nothing to offer
        lines.append(f"{indent}{pattern}) {body} ;;")
    return lines


def _bash_level(cmd: Command, depth: int, indent: str) -> list[str]:
    """Completion for `cmd` whose name is at word `depth - 1` (0 = the program)."""
    arms = _bash_values(cmd, indent + "  ")
    out = [f'{indent}case "$prev" in', *arms, f"{indent}esac"] if arms else []
    words = [f for o in cmd.options for f in o.flags] + [s.name for s in cmd.subcommands]
    if cmd.subcommands:
        out.append(f'{indent}case "${{COMP_WORDS[{depth}]}}" in')
        for sub in cmd.subcommands:
            out.append(f"{indent}  {sub.name})")
            out.append(f"{indent}    if [ \"$COMP_CWORD\" -gt {depth} ]; then")
            out += _bash_level(sub, depth + 1, indent + "      ")
            out.append(f"{indent}      return")
            out.append(f"{indent}    fi ;;")
        out.append(f"{indent}esac")
    if cmd.positional_choices:
        words += cmd.positional_choices
    if cmd.positional_files:
        out.append(f'{indent}if [[ "$cur" != -* ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi')
    out.append(f'{indent}COMPREPLY=($(compgen -W {_q(" ".join(words))} -- "$cur"))')
    return out


def _bash(spec: Command) -> str:
    body = "\n".join(_bash_level(spec, 1, "  "))
    return f"""# bash completion for {PROG} (generated by `{PROG} completion bash`)
_bcs_tui() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  COMPREPLY=()
{body}
}}
complete -o default -F _bcs_tui {PROG}
"""


# --------------------------------------------------------------------------------------- zsh


def _zsh_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:").replace("'", "'\\''")


def _zsh_specs(cmd: Command) -> list[str]:
    specs = []
    for opt in cmd.options:
        value = ""
        if opt.takes_value:
            if opt.choices:
                value = ":value:(" + " ".join(opt.choices) + ")"
            elif opt.files:
                value = ":file:_files"
            elif set(opt.flags) & CONTEXT_OPTIONS:
                value = f":context:($({PROG} config contexts 2>/dev/null))"
            else:
                value = ":value: "
        for flag in opt.flags:
            specs.append(f"'{flag}[{_zsh_escape(opt.help)}]{value}'")
    return specs


def _zsh_function(cmd: Command, fname: str) -> list[str]:
    out = [f"{fname}() {{"]
    specs = _zsh_specs(cmd)
    if cmd.subcommands:
        out.append("  local curcontext=$curcontext state line")
        out.append("  local -a subs")
        out.append("  subs=(" + " ".join(_q(f"{s.name}:{s.help}") for s in cmd.subcommands) + ")")
        out.append("  _arguments -C -s " + " ".join(specs + ["'1: :->cmd'", "'*:: :->args'"]))
        out.append("  case $state in")
        out.append("    cmd) _describe command subs ;;")
        out.append("    args)")
        out.append("      case $line[1] in")
        for sub in cmd.subcommands:
            out.append(f"        {sub.name}) {fname}_{sub.name.replace('-', '_')} ;;")
        out.append("      esac ;;")
        out.append("  esac")
    elif cmd.positional_choices:
        out.append("  _arguments -s " + " ".join(specs + [f"'1:value:({' '.join(cmd.positional_choices)})'"]))
    elif cmd.positional_files:
        out.append("  _arguments -s " + " ".join(specs + ["'1:file:_files'"]))
    elif specs:
        out.append("  _arguments -s " + " ".join(specs))
    else:
        out.append("  return 1")
    out.append("}")
    for sub in cmd.subcommands:
        out += _zsh_function(sub, f"{fname}_{sub.name.replace('-', '_')}")
    return out


def _zsh(spec: Command) -> str:
    body = "\n".join(_zsh_function(spec, "_bcs_tui"))
    return f"""#compdef {PROG}
# zsh completion for {PROG} (generated by `{PROG} completion zsh`)
{body}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _bcs_tui "$@"
else
  compdef _bcs_tui {PROG}
fi
"""


# --------------------------------------------------------------------------------------- fish


def _fish_option(opt: Option, condition: str) -> str:
    parts = [f"complete -c {PROG}", f"-n {_q(condition)}"]
    for flag in opt.flags:
        if flag.startswith("--"):
            parts.append(f"-l {flag[2:]}")
        else:
            parts.append(f"-s {flag[1:]}")
    if opt.takes_value:
        if opt.choices:
            parts.append(f"-x -a {_q(' '.join(opt.choices))}")
        elif opt.files:
            parts.append("-r -F")
        elif set(opt.flags) & CONTEXT_OPTIONS:
            parts.append(f"-x -a {_q(f'({PROG} config contexts 2>/dev/null)')}")
        else:
            parts.append("-x")
    if opt.help:
        parts.append(f"-d {_q(opt.help)}")
    return " ".join(parts)


def _fish(spec: Command) -> str:
    lines = [f"# fish completion for {PROG} (generated by `{PROG} completion fish`)",
             f"complete -c {PROG} -f"]
    names = " ".join(s.name for s in spec.subcommands)
    top = f"not __fish_seen_subcommand_from {names}"
    for opt in spec.options:
        lines.append(_fish_option(opt, top))
    for sub in spec.subcommands:
        lines.append(f"complete -c {PROG} -n {_q(top)} -a {sub.name} -d {_q(sub.help)}")
        here = f"__fish_seen_subcommand_from {sub.name}"
        for opt in sub.options:
            lines.append(_fish_option(opt, here))
        if sub.positional_choices:
            lines.append(f"complete -c {PROG} -n {_q(here)} -a {_q(' '.join(sub.positional_choices))}")
        if sub.subcommands:
            inner = " ".join(s.name for s in sub.subcommands)
            for s2 in sub.subcommands:
                lines.append(f"complete -c {PROG} -n {_q(f'{here}; and not __fish_seen_subcommand_from {inner}')} "
                             f"-a {s2.name} -d {_q(s2.help)}")
                cond = f"{here}; and __fish_seen_subcommand_from {s2.name}"
                for opt in s2.options:
                    lines.append(_fish_option(opt, cond))
                if s2.positional_files:
                    lines.append(f"complete -c {PROG} -n {_q(cond)} -F")
    return "\n".join(lines) + "\n"
