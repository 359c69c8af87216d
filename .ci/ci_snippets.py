#!/usr/bin/env python3
"""Runs the shell of the README's CI examples that cannot run here for real
(Azure Pipelines, CircleCI, Jenkins), in the order their system would run
it, with only the plumbing between steps emulated:

  azure     examples/ci/azure-pipelines.yml: jobs in order, a job runs only
            if the jobs it depends on succeeded; each `script` step runs as
            the agent runs it (bash --noprofile --norc, TF_BUILD=True); its
            output is read for logging commands (setsecret masks, setvariable
            with isoutput=true becomes `dependencies.<job>.outputs['<step
            name>.<NAME>']`, prependpath); `$(name)` macros and `$[ ... ]`
            output references in job variables are resolved.
  circleci  examples/ci/circleci.yml: the first workflow's jobs in order, a
            job runs only if the jobs it requires succeeded; `run` steps run
            in bash -eo pipefail with BASH_ENV; persist_to_workspace and
            attach_workspace copy files; a context gives its variables.
  jenkins   examples/ci/Jenkinsfile: every `sh '...'` / `sh '''...'''` body,
            stage by stage, in one workspace, as `sh -xe`; a failure stops
            the pipeline.

  ci_snippets.py SYSTEM FILE --work DIR [--dump DIR] [--var NAME=VALUE...]
                 [--secret NAME=VALUE...]

--var gives the pipeline's variables (build parameters), --secret its
secrets (Azure secret variables, the CircleCI context `pinecone`, the
Jenkins credentials): they reach a step only the way the file says. The
environment of every step is otherwise minimal: PATH, HOME, LANG. --dump
writes each shell body to DIR for shellcheck. Prints each step's output,
secrets masked, and exits 1 when a job fails.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml


def base_env(work):
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "LANG": "C.UTF-8",
    }


class Run:
    """Output and secrets of a run, shared by the emulators."""

    def __init__(self, dump):
        self.secrets = []
        self.dump = dump
        self.dumped = 0
        self.failed = False

    def show(self, job, step, text):
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        for line in text.splitlines():
            print(f"{job} | {step} | {line}")

    def save(self, system, body, shell="bash"):
        if self.dump is None:
            return
        self.dump.mkdir(parents=True, exist_ok=True)
        self.dumped += 1
        path = self.dump / f"{system}-{self.dumped}.sh"
        path.write_text(f"#!/usr/bin/env {shell}\n{body}\n")


# --- Azure Pipelines -------------------------------------------------------

VSO = "##vso["


def azure_unescape(text):
    # microsoft/azure-pipelines-agent src/Agent.Sdk/CommandStringConvertor.cs
    for escaped, plain in (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]")):
        text = text.replace(escaped, plain)
    return text.replace("%AZP25", "%")


def azure_commands(output):
    """(name, properties, data) of every logging command, as the agent
    reads them (prefix anywhere in a line, first `]` ends it)."""
    for line in re.split(r"\r\n|\r|\n", output):
        start = line.find(VSO)
        if start < 0:
            continue
        end = line.find("]", start)
        if end < 0:
            continue
        info = line[start + len(VSO) : end]
        name, _, props = info.partition(" ")
        properties = {}
        for prop in props.split(";"):
            key, sep, value = prop.partition("=")
            if sep and key and value:
                properties[key.lower()] = azure_unescape(value)
        yield name, properties, azure_unescape(line[end + 1 :])


def azure_macros(text, variables):
    # `$(name)` of a known variable becomes its value; others stay.
    return re.sub(
        r"\$\(([A-Za-z0-9_.]+)\)",
        lambda m: variables.get(m.group(1), m.group(0)),
        text,
    )


def run_azure(pipeline, args, work, run):
    outputs = {}
    status = {}
    secrets = dict(args.secret)
    pipeline_vars = dict(args.var)
    run.secrets.extend(secrets.values())
    for job in pipeline["jobs"]:
        name = job["job"]
        depends = job.get("dependsOn", [])
        depends = [depends] if isinstance(depends, str) else depends
        if not all(status.get(d) == "succeeded" for d in depends):
            status[name] = "skipped"
            print(f"{name} | skipped (a job it depends on did not succeed)")
            continue
        variables = {**pipeline_vars, **secrets}
        job_vars = {}
        for key, value in (job.get("variables") or {}).items():
            ref = re.fullmatch(
                r"\$\[\s*dependencies\.(\w+)\.outputs\['([\w.]+)'\]\s*\]", str(value)
            )
            job_vars[key] = (
                outputs.get(ref.group(1), {}).get(ref.group(2), "")
                if ref
                else azure_macros(str(value), variables)
            )
        variables.update(job_vars)
        outputs[name] = {}
        prepended = []
        status[name] = "succeeded"
        directory = work / "azure" / name
        directory.mkdir(parents=True, exist_ok=True)
        for index, step in enumerate(job["steps"]):
            script = azure_macros(step["script"], variables)
            run.save("azure", script)
            env = base_env(work)
            env["PATH"] = os.pathsep.join(prepended + [env["PATH"]])
            env["TF_BUILD"] = "True"
            # Non-secret variables are environment variables, upper-cased.
            for key, value in {**pipeline_vars, **job_vars}.items():
                env[key.upper().replace(".", "_")] = value
            for key, value in (step.get("env") or {}).items():
                env[key] = azure_macros(str(value), variables)
            path = directory / f"step{index}.sh"
            path.write_text(script)
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", str(path)],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            output = done.stdout + done.stderr
            for command, properties, data in azure_commands(output):
                if command == "task.setsecret":
                    run.secrets.append(data)
                elif command == "task.prependpath":
                    prepended.insert(0, data)
                elif command == "task.setvariable" and properties.get("isoutput") == "true":
                    if "name" in step:
                        outputs[name][f"{step['name']}.{properties['variable']}"] = data
            run.show(name, step.get("displayName", f"step {index}"), output)
            if done.returncode != 0:
                status[name] = "failed"
                run.show(name, "result", f"exit {done.returncode}")
                break
        print(f"{name} | {status[name]}")
    return all(s != "failed" for s in status.values())


# --- CircleCI ---------------------------------------------------------------


def run_circleci(config, args, work, run):
    variables = dict(args.var)
    context = dict(args.secret)
    run.secrets.extend(context.values())
    workflow = next(iter(config["workflows"].values()))
    workspace = work / "circleci-workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    status = {}
    for entry in workflow["jobs"]:
        name, settings = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        if not all(status.get(r) == "success" for r in settings.get("requires", [])):
            status[name] = "blocked"
            print(f"{name} | not run (a required job did not succeed)")
            continue
        directory = work / "circleci" / name
        directory.mkdir(parents=True, exist_ok=True)
        bash_env = directory / ".bash_env"
        bash_env.write_text("")
        status[name] = "success"
        for step in config["jobs"][name]["steps"]:
            kind, body = (step, None) if isinstance(step, str) else next(iter(step.items()))
            if kind == "run":
                command = body if isinstance(body, str) else body["command"]
                label = command if isinstance(body, str) else body.get("name", command)
                run.save("circleci", command)
                env = base_env(work)
                env.update(CI="true", CIRCLECI="true", BASH_ENV=str(bash_env), **variables)
                if settings.get("context") == "pinecone":
                    env.update(context)
                done = subprocess.run(
                    ["bash", "-eo", "pipefail", "-c", command],
                    cwd=directory,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                run.show(name, label, done.stdout + done.stderr)
                if done.returncode != 0:
                    status[name] = "failed"
                    run.show(name, "result", f"exit {done.returncode}")
                    break
            elif kind == "persist_to_workspace":
                root = directory / body["root"]
                for path in body["paths"]:
                    shutil.copy2(root / path, workspace / path)
            elif kind == "attach_workspace":
                shutil.copytree(workspace, directory / body["at"], dirs_exist_ok=True)
            elif kind != "checkout":
                raise SystemExit(f"circleci: step {kind} is not emulated")
        print(f"{name} | {status[name]}")
    return all(s != "failed" for s in status.values())


# --- Jenkins ----------------------------------------------------------------

GROOVY_STRING = re.compile(r"""sh\s*(?:'''(.*?)'''|'((?:[^'\\\n]|\\.)*)')""", re.S)


def groovy_unescape(text, triple):
    if triple:
        text = text.replace("\\\n", "")
    return re.sub(r"\\(.)", lambda m: m.group(1), text)


def run_jenkins(jenkinsfile, args, work, run):
    env = base_env(work)
    env.update(dict(args.var))
    env.update(dict(args.secret))
    env["CI"] = "true"
    env["JENKINS_URL"] = "http://jenkins.invalid/"
    run.secrets.extend(dict(args.secret).values())
    directory = work / "jenkins-workspace"
    directory.mkdir(parents=True, exist_ok=True)
    stages = re.split(r"stage\('([^']*)'\)", jenkinsfile)
    # [preamble, name1, body1, name2, body2, ...]
    for name, body in zip(stages[1::2], stages[2::2]):
        for match in GROOVY_STRING.finditer(body):
            triple = match.group(1) is not None
            script = groovy_unescape(match.group(1) if triple else match.group(2), triple)
            run.save("jenkins", script, shell="sh")
            done = subprocess.run(
                ["sh", "-xe", "-c", script],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            run.show(name, "sh", done.stdout + done.stderr)
            if done.returncode != 0:
                run.show(name, "result", f"exit {done.returncode}")
                print(f"{name} | FAILURE")
                return False
        print(f"{name} | SUCCESS")
    return True


def pair(text):
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=["azure", "circleci", "jenkins"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--var", type=pair, action="append", default=[])
    parser.add_argument("--secret", type=pair, action="append", default=[])
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    run = Run(args.dump)
    text = args.file.read_text()
    if args.system == "azure":
        ok = run_azure(yaml.safe_load(text), args, work, run)
    elif args.system == "circleci":
        ok = run_circleci(yaml.safe_load(text), args, work, run)
    else:
        ok = run_jenkins(text, args, work, run)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
