"""Commands run in containers: per-task staging -> running -> finish/failed with plausible output."""

from __future__ import annotations

import copy
import shlex
from datetime import datetime
from typing import Any

from bcs_tui.sim.errors import CODE_BAD_REQUEST, CODE_JSON_DECODE, CODE_SCHEDULER, SimError
from bcs_tui.sim.model import CST, TaskGroup

OUTPUT_CAP = 1024  # stdout and stderr are at most 1024 bytes each
COMMAND_SEND_SECONDS = 1.0  # staging -> running
COMMAND_RUN_SECONDS = 2.0  # running -> finish/failed

# Strings a hostile cluster puts in outputs: Textual markup, ANSI CSI, OSC 52 (clipboard write).
HOSTILE_TEXT = ("[bold red]pwned[/] [@click=app.quit]click me[/] \x1b[31mred\x1b[0m "
                "\x1b]52;c;ZXZpbA==\x07 \x1b[2J")


def _cap(text: str) -> str:
    raw = text.encode()
    if len(raw) <= OUTPUT_CAP:
        return text
    return raw[:OUTPUT_CAP].decode(errors="ignore")


def _script(command: list[str]) -> str:
    if len(command) >= 3 and command[0].rsplit("/", 1)[-1] in ("sh", "bash") and command[1] == "-c":
        return command[2]
    return " ".join(shlex.quote(c) for c in command)


def run_script(script: str, tg: TaskGroup, task_index: int, now: float,
               hostile: bool = False) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of a shell line inside a simulated container."""
    out_lines: list[str] | None = None
    code, err = 0, ""
    for i, segment in enumerate(s.strip() for s in script.split("|")):
        try:
            words = shlex.split(segment)
        except ValueError:
            return 2, "", "sh: syntax error: unterminated quoted string\n"
        if not words:
            return 2, "", "sh: syntax error near unexpected token `|'\n"
        if i > 0:
            if words[0] == "grep" and len(words) > 1 and out_lines is not None:
                pat = words[-1]
                invert = "-v" in words[1:-1]
                out_lines = [ln for ln in out_lines if (pat in ln) != invert]
                code = 0 if out_lines else 1
            elif words[0] in ("head", "tail", "wc", "sort") and out_lines is not None:
                if words[0] == "head":
                    out_lines = out_lines[:10]
                elif words[0] == "tail":
                    out_lines = out_lines[-10:]
                elif words[0] == "wc":
                    out_lines = [str(len(out_lines))]
                else:
                    out_lines = sorted(out_lines)
            continue
        code, text, err = _one(words, tg, task_index, now)
        out_lines = text.splitlines()
        if code != 0:
            break
    stdout = "\n".join(out_lines or []) + ("\n" if out_lines else "")
    if hostile:
        stdout += HOSTILE_TEXT + "\n"
    return code, _cap(stdout), _cap(err)


def _one(words: list[str], tg: TaskGroup, task_index: int, now: float) -> tuple[int, str, str]:
    cmd, args = words[0].rsplit("/", 1)[-1], words[1:]
    task = tg.tasks[task_index] if task_index < len(tg.tasks) else tg.tasks[0]
    spec = task.spec
    host = (task.container_id[:12] or tg.name) if tg.app.template.network == "BRIDGE" else \
        (tg.agent.hostname if tg.agent else tg.name)
    if cmd == "hostname":
        return 0, host + "\n", ""
    if cmd == "whoami":
        return 0, "root\n", ""
    if cmd == "true":
        return 0, "", ""
    if cmd == "false":
        return 1, "", ""
    if cmd == "echo":
        return 0, " ".join(a for a in args if a != "-n") + "\n", ""
    if cmd == "date":
        return 0, datetime.fromtimestamp(now, CST).strftime("%a %b %d %H:%M:%S CST %Y") + "\n", ""
    if cmd == "uptime":
        up = max(0, int(now - tg.start_time))
        return 0, (datetime.fromtimestamp(now, CST).strftime(" %H:%M:%S") +
                   f" up {up // 86400} days, {up % 86400 // 3600}:{up % 3600 // 60:02d},  0 users,  "
                   "load average: 0.42, 0.37, 0.31\n"), ""
    if cmd == "env":
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOSTNAME": host, "BCS_CONTAINER_IP": tg.pod_ip,
               "BCS_NODE_IP": tg.agent.ip if tg.agent else "", "BCS_POD_ID": tg.id,
               "BCS_NAMESPACE": tg.app.namespace, "HOME": "/root"}
        env.update(spec.env)
        return 0, "".join(f"{k}={v}\n" for k, v in env.items()), ""
    if cmd == "ps":
        main = " ".join([spec.command or "/data/app/bin/start.sh"] + spec.args)
        lines = ["USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND",
                 f"root         1  0.0  0.0  11680  2580 ?        Ss   {_hm(tg.start_time)}   0:00 "
                 f"/bin/sh -c {main}",
                 f"root         7  2.3  4.1 2386120 171204 ?      Sl   {_hm(tg.start_time)}  12:41 {main}",
                 f"root        88  0.0  0.0  51748  3436 ?        Rs   {_hm(now)}   0:00 ps {' '.join(args)}"]
        return 0, "\n".join(lines) + "\n", ""
    if cmd == "cat":
        if args == ["/etc/hosts"]:
            return 0, ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                       f"{tg.pod_ip}\t{host}\n"), ""
        if args == ["/etc/resolv.conf"]:
            return 0, "nameserver 10.0.0.53\nsearch bcs.local\noptions ndots:2\n", ""
        if not args:
            return 0, "", ""
        return 1, "", f"cat: {args[0]}: No such file or directory\n"
    if cmd == "df":
        return 0, ("Filesystem      Size  Used Avail Use% Mounted on\n"
                   "overlay          99G   41G   53G  44% /\n"
                   "tmpfs            64M     0   64M   0% /dev\n"
                   "/dev/vdb        493G  187G  281G  40% /data\n"
                   "shm              64M     0   64M   0% /dev/shm\n"), ""
    if cmd == "ls":
        if not args or args[-1] in ("/", "-l", "-la", "-al"):
            return 0, "bin\ndata\ndev\netc\nhome\nlib\nproc\nroot\nrun\nsys\ntmp\nusr\nvar\n", ""
        if args[-1].rstrip("/") in ("/data", "/data/app"):
            return 0, "bin\nconf\nlogs\n", ""
        return 2, "", f"ls: cannot access '{args[-1]}': No such file or directory\n"
    if cmd == "sleep":
        return 0, "", ""
    return 127, "", f"sh: {words[0]}: command not found\n"


def _hm(ts: float) -> str:
    return datetime.fromtimestamp(ts, CST).strftime("%H:%M")


class CommandMixin:
    """Command records and their time-driven progress (uses SimCluster's schedule/now)."""

    def _init_commands(self) -> None:
        self.commands: dict[str, dict] = {}
        self._command_ref: dict[str, tuple[str, str, str]] = {}

    def _command_targets(self, kind: str, ns: str, name: str) -> list:
        if kind == "application":
            app = self.apps.get((ns, name))
            if app is None:
                raise SimError(CODE_SCHEDULER, "store: Not Found")
            return [app]
        d = self.deployments.get((ns, name))
        if d is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        return [a for a in self.deployment_apps(d) if a is not None]

    def create_command(self, kind: str, ns: str, name: str, body: Any) -> str:
        """POST /command/{application|deployment}/{ns}/{name}: data = the command ID."""
        if not isinstance(body, dict):
            raise SimError(CODE_JSON_DECODE, "json decode command failed")
        spec = body.get("spec")
        if not isinstance(spec, dict):
            raise SimError(CODE_BAD_REQUEST, "command has no spec")
        ref = spec.get("commandTargetRef") or {}
        want_kind = "Application" if kind == "application" else "Deployment"
        if not isinstance(ref, dict) or ref.get("kind") != want_kind or ref.get("namespace") != ns \
                or ref.get("name") != name:
            raise SimError(CODE_BAD_REQUEST, "request data error")
        command = spec.get("command")
        if not isinstance(command, list) or not command or not all(isinstance(c, str) for c in command):
            raise SimError(CODE_BAD_REQUEST, "command is empty")
        only = spec.get("taskgroups") or None
        if only is not None and (not isinstance(only, list)
                                 or not all(isinstance(t, str) for t in only)):
            raise SimError(CODE_JSON_DECODE, "json: cannot unmarshal spec.taskgroups into []string")
        apps = self._command_targets(kind, ns, name)
        image_filter = str(ref.get("image") or "")
        stamp = self.nano()
        cid = f"Application-{ns}-{name}-{stamp}" if kind == "application" \
            else f"deployment-{ns}-{name}-{stamp}".lower()
        statuses = []
        script = _script(command)
        for app in apps:
            for tg in app.taskgroups:
                if only and tg.id not in only:
                    continue
                tasks = []
                for t in tg.tasks:
                    if image_filter and image_filter not in t.spec.image:
                        continue
                    entry = {"taskId": tg.task_id(t), "status": "staging",
                             "message": "still not send command to task", "commInspect": None}
                    if tg.status != "Running":
                        entry.update(status="failed", message="task not in running status")
                    else:
                        self.schedule(COMMAND_SEND_SECONDS, self._command_running, entry)
                        self.schedule(COMMAND_SEND_SECONDS + COMMAND_RUN_SECONDS,
                                      self._command_done, entry, tg, t.index, script)
                    tasks.append(entry)
                if tasks:
                    statuses.append({"taskgroupId": tg.id, "tasks": tasks})
        self.commands[cid] = {"id": cid, "createTime": int(self.now()),
                              "spec": copy.deepcopy(spec), "status": {"taskgroups": statuses}}
        self._command_ref[cid] = (kind, ns, name)
        return cid

    def _command_running(self, entry: dict) -> None:
        if entry["status"] == "staging":
            entry.update(status="running", message="command in running")

    def _command_done(self, entry: dict, tg: TaskGroup, index: int, script: str) -> None:
        if entry["status"] != "running":
            return
        if not tg.alive or tg.status != "Running":
            entry.update(status="failed", message="task not in running status")
            return
        code, out, err = run_script(script, tg, index, self.now(), self.hostile)
        entry.update(status="finish" if code == 0 else "failed",
                     message="command finish" if code == 0 else f"command exit with code {code}",
                     commInspect={"exitCode": code, "stdout": out, "stderr": err})

    def _command_lookup(self, kind: str, ns: str, name: str, cid: str) -> dict:
        if not cid:
            raise SimError(CODE_BAD_REQUEST, "command id is empty")
        info = self.commands.get(cid)
        if info is None:
            raise SimError(CODE_SCHEDULER, "store: Not Found")
        if self._command_ref[cid] != (kind, ns, name):
            raise SimError(CODE_BAD_REQUEST, "request data error")
        return info

    def get_command(self, kind: str, ns: str, name: str, cid: str) -> dict:
        """GET /command/{kind}/{ns}/{name}?id="""
        return copy.deepcopy(self._command_lookup(kind, ns, name, cid))

    def delete_command(self, kind: str, ns: str, name: str, cid: str) -> None:
        """DELETE /command/{kind}/{ns}/{name}?id= (removes the record only)."""
        self._command_lookup(kind, ns, name, cid)
        del self.commands[cid]
        del self._command_ref[cid]
