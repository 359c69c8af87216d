#!/usr/bin/env node
// Helpers for .ci/contract.sh. Needs js-yaml (installed with Prism from
// tests/contract/package.json; .ci/contract.sh sets NODE_PATH).
//
//   check.cjs spec SPEC DIR
//       Reads describe_backup (GET /backups/{backup_id}), create_backup
//       (POST /indexes/{index_name}/backups) and list_index_backups (GET
//       /indexes/{index_name}/backups) in SPEC: writes describe's 200
//       example to DIR/example.json, the list's 200 example to
//       DIR/list-example.json, and each operation's error examples to
//       DIR/errors-{describe,create,list}.json; prints "API_VERSION
//       BACKUP_ID EXAMPLE_NAME VERSION_HEADER" (VERSION_HEADER: whether the
//       spec declares X-Pinecone-Api-Version, yes or no).
//   check.cjs error-cases DIR OP
//       Prints "STATUS EXAMPLE_NAME" for each error example of OP
//       (describe, create or list).
//   check.cjs failure DIR OP STATUS EXAMPLE_NAME RUN_DIR
//       Checks a run answered with that error example of OP: exit code and
//       result as the README maps the status, the example's message and
//       code in the error output, no backup fields, and for a create or a
//       list: created false, stage select.
//   check.cjs outputs EXAMPLE GITHUB_OUTPUT STDOUT_JSON
//       Compares the waiter's step outputs and --json object with EXAMPLE
//       (a run given --backup-id: created false, selected_by id, stage
//       backup, --json version 2, every restore output empty but
//       restore_created false).
//   check.cjs created RUN_DIR
//       Checks a --create-from-index run against Prism's 201 (a BackupModel
//       made from the schema's examples, already Ready): exit 0, one
//       request, created true, selected_by create, stage backup, the
//       backup's outputs those of the answer.
//   check.cjs latest DIR RUN_DIR
//       Checks a --latest-of-index run against the list example served for
//       every page: the example parses (its backups are counted in the
//       log), and its `pagination.next`, repeated on the next page, ends
//       the listing with exit 6 (a pagination loop), in the select stage.
//   check.cjs output NAME GITHUB_OUTPUT
//       Prints one output's value (empty if absent).
//   check.cjs log PRISM_LOG ATTEMPTS VERSION [PRISM_LOG...]
//       Passes when the Prism instances whose logs are given saw ATTEMPTS
//       requests in all, each with Accept: application/json and
//       X-Pinecone-API-Version: VERSION (read from Prism's debug log of
//       request headers), each passed its validation, and nothing was
//       logged as a violation, warning or error.
//   check.cjs restore-spec CONTROL_SPEC DATA_SPEC DIR
//       Reads what a restore meets in the two specs of one version into
//       DIR/restore-spec.json: describe_backup's 200 example, the
//       RestoreJobModel and CreateIndexFromBackupResponse that Prism makes
//       from their property examples (the two operations have no response
//       example), describe_index's 200 examples, list_restore_jobs' 200
//       examples, describe_index_stats' answer (IndexDescription's
//       example), and the error examples of create-index,
//       describe_restore_job and describe_index, with the statuses that
//       have none. Prints "API_VERSION BACKUP_ID JOB_ID".
//   check.cjs forward UPSTREAM_PORT PORT_FILE RULES_FILE LOG_FILE
//       Serves on a free loopback port (written to PORT_FILE) and passes
//       every request to 127.0.0.1:UPSTREAM_PORT as it came, except that
//       it drops any Prefer header and sets the one of the first rule of
//       RULES_FILE (read at every request; a JSON array of {method, path:
//       regex, prefer?, rewrite?}) that matches (a rule with `answers`, a
//       list of {prefer?, rewrite?}, uses them in turn, the last one from
//       then on), and that a 200 JSON
//       answer of a rule with `rewrite` is changed: `replace` (the whole
//       body, for a spec example Prism refuses to serve), then `set`
//       (field to value) and `fromPath` (field to the request path's last
//       segment). Logs each exchange to LOG_FILE as a JSON line.
//       Runs until killed.
//   check.cjs restore-cases DIR DATA_HOST
//       Prints the restore runs to make (restoreCases), one a line: ID,
//       what it shows, the forwarder's rules as JSON, and the waiter's
//       arguments, separated by tabs. DATA_HOST is the data-plane Prism's
//       127.0.0.1:PORT.
//   check.cjs restore ID DIR RUN_DIR
//       Checks the run of restore case ID against DIR/restore-spec.json:
//       exit code, result, stage, the restore outputs and the --json
//       object, and what the forwarder and both Prism instances saw
//       (requests, bodies, which answers the forwarder changed).
//
// The checking commands print each failed check and a one-line tally (every
// check with CONTRACT_VERBOSE=1), and exit 1 if any failed.
"use strict";

const fs = require("fs");

const RESTORE_OUTPUTS = [
  "restore_job_id",
  "restore_status",
  "restore_percent_complete",
  "restore_created",
  "restored_index_name",
  "restored_index_id",
  "restored_index_host",
  "restored_index_state",
  "restored_record_count",
];
const OWN_OUTPUTS = [
  "result", "json", "attempts", "elapsed_seconds", "error", "created", "selected_by", "stage", ...RESTORE_OUTPUTS,
];
// The --json object's `version` (README, "The --json object").
const JSON_VERSION = 2;
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

const VERBOSE = process.env.CONTRACT_VERBOSE === "1";
let checks = 0;
let failures = 0;
function check(ok, what, detail) {
  checks += 1;
  if (!ok) failures += 1;
  if (!ok || VERBOSE) console.log(`  ${ok ? "ok  " : "FAIL"} ${what}${!ok && detail ? `: ${detail}` : ""}`);
}

const TALLIES = {
  outputs: "step outputs and --json equal the example, field by field",
  failure: "exit code, result and error output as the README maps this status",
  log: "Prism saw every request, validated it, logged no violation",
  created: "the create's answer selected and waited for, outputs as the README says",
  latest: "the list example parsed; its repeated next token ends the listing with exit 6",
  restore: "the restore run ended as the README says, its outputs and requests as the spec's examples make them",
};

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

function parseJson(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: err.message };
  }
}

// ---- spec -----------------------------------------------------------------

// The error examples (status, name, body.error) of one operation.
function errorExamples(op) {
  const errors = [];
  for (const [status, response] of Object.entries(op.responses)) {
    const content = (response.content || {})["application/json"] || {};
    for (const [name, ex] of Object.entries(content.examples || {})) {
      if (!status.startsWith("2")) errors.push({ status: Number(status), example: name, error: (ex.value || {}).error });
    }
  }
  return errors;
}

function specCommand(specPath, dir) {
  const yaml = require("js-yaml");
  // The core schema keeps timestamps such as created_at as the spec's text.
  const spec = yaml.safeLoad(fs.readFileSync(specPath, "utf8"), { schema: yaml.CORE_SCHEMA });
  const get = spec.paths["/backups/{backup_id}"].get;
  const backups = spec.paths["/indexes/{index_name}/backups"];
  const examples = get.responses["200"].content["application/json"].examples;
  const [exampleName] = Object.keys(examples);
  const idParam = get.parameters.find((p) => p.in === "path" && p.name === "backup_id");
  const versionHeader = (get.parameters || []).some(
    (p) => p.in === "header" && p.name.toLowerCase() === "x-pinecone-api-version" && p.required,
  );
  const fields = [String(spec.info.version), String(idParam.example), exampleName, versionHeader ? "yes" : "no"];
  if (fields.some((f) => !f || /\s/.test(f))) {
    throw new Error(`unexpected spec layout: ${JSON.stringify(fields)}`);
  }
  const exampleId = (examples[exampleName].value || {}).backup_id;
  if (exampleId !== idParam.example) {
    throw new Error(
      `the backup_id parameter's example (${idParam.example}) is not the 200 example's backup_id (${exampleId}): ` +
        "requesting it would describe another backup",
    );
  }
  if (!backups || !backups.get || !backups.post) throw new Error("no list_index_backups or create_backup in the spec");
  const write = (name, value) => fs.writeFileSync(`${dir}/${name}`, JSON.stringify(value, null, 2) + "\n");
  write("example.json", examples[exampleName].value);
  const listExamples = backups.get.responses["200"].content["application/json"].examples;
  write("list-example.json", Object.values(listExamples)[0].value);
  write("errors-describe.json", errorExamples(get));
  write("errors-create.json", errorExamples(backups.post));
  write("errors-list.json", errorExamples(backups.get));
  console.log(fields.join(" "));
}

function errorCasesCommand(dir, op) {
  for (const e of JSON.parse(fs.readFileSync(`${dir}/errors-${op}.json`, "utf8"))) console.log(`${e.status} ${e.example}`);
}

// ---- GITHUB_OUTPUT and the 200 example -------------------------------------

// The GitHub runner's reading of GITHUB_OUTPUT (actions/runner,
// FileCommandManager.cs, Linux): NAME=VALUE or NAME<<DELIMITER lines, values
// up to a line equal to the delimiter, lines split on "\n" only.
function parseGithubOutput(text) {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const outputs = new Map();
  const duplicates = [];
  const set = (name, value) => {
    if (outputs.has(name)) duplicates.push(name);
    outputs.set(name, value);
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      set(line.slice(0, eq), line.slice(eq + 1));
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!name || !delimiter) throw new Error(`invalid format '${line}'`);
      const end = lines.indexOf(delimiter, i + 1);
      if (end < 0) throw new Error(`matching delimiter not found '${delimiter}'`);
      set(name, lines.slice(i + 1, end).join("\n"));
      i = end;
    } else {
      throw new Error(`invalid format '${line}'`);
    }
  }
  return { outputs, duplicates };
}

// Compact JSON: no whitespace outside string literals.
function isCompactJson(text) {
  return !/\s/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}

function checkField(name, expected, actual) {
  if (actual === undefined) return check(false, `output ${name}`, "missing");
  if (expected === null) return check(actual === "", `output ${name} is empty (null)`, JSON.stringify(actual));
  if (typeof expected === "object") {
    const parsed = parseJson(actual);
    check(
      parsed.error === undefined && deepEqual(parsed.value, expected),
      `output ${name} is the example as JSON`,
      parsed.error || `got ${actual}`,
    );
    return check(isCompactJson(actual), `output ${name} is compact JSON`, actual);
  }
  // Strings raw; numbers as decimal text; booleans as true/false.
  const text = typeof expected === "string" ? expected : JSON.stringify(expected);
  return check(actual === text, `output ${name} = ${JSON.stringify(text)}`, `got ${JSON.stringify(actual)}`);
}

function outputsCommand(examplePath, outputPath, stdoutPath) {
  const example = JSON.parse(fs.readFileSync(examplePath, "utf8"));
  let parsed;
  try {
    parsed = parseGithubOutput(fs.readFileSync(outputPath, "utf8"));
  } catch (err) {
    return check(false, "GITHUB_OUTPUT parses as the runner reads it", err.message);
  }
  const { outputs, duplicates } = parsed;
  check(true, "GITHUB_OUTPUT parses as the runner reads it");
  check(duplicates.length === 0, "no output is written twice", duplicates.join(", "));

  for (const [name, value] of Object.entries(example)) {
    if (OWN_OUTPUTS.includes(name)) continue; // the waiter's own output wins; the field stays in json
    if (OUTPUT_NAME.test(name)) checkField(name, value, outputs.get(name));
    else check(!outputs.has(name), `field ${JSON.stringify(name)} is not an output (not a plain name)`);
  }
  // Fields the waiter always writes but the example lacks must be empty.
  for (const [name, value] of outputs) {
    if (!(name in example) && !OWN_OUTPUTS.includes(name)) {
      check(value === "", `output ${name} (absent from the example) is empty`, JSON.stringify(value));
    }
  }

  check(outputs.get("result") === "ready", "output result = ready", outputs.get("result"));
  check(outputs.get("status") === "Ready", "output status = Ready", outputs.get("status"));
  check(outputs.get("created") === "false", "output created = false", outputs.get("created"));
  check(outputs.get("selected_by") === "id", "output selected_by = id", outputs.get("selected_by"));
  check(outputs.get("stage") === "backup", "output stage = backup", outputs.get("stage"));
  check(outputs.get("error") === "", "output error is empty", outputs.get("error"));
  check(outputs.get("restore_created") === "false", "output restore_created = false", outputs.get("restore_created"));
  for (const name of RESTORE_OUTPUTS.filter((n) => n !== "restore_created")) {
    check(outputs.get(name) === "", `output ${name} is empty (no restore)`, JSON.stringify(outputs.get(name)));
  }
  check(/^[1-9][0-9]*$/.test(outputs.get("attempts") || ""), "output attempts is a count", outputs.get("attempts"));
  check(/^[0-9]+(\.[0-9]+)?$/.test(outputs.get("elapsed_seconds") || ""), "output elapsed_seconds is decimal seconds",
    outputs.get("elapsed_seconds"));
  const json = parseJson(outputs.get("json") || "");
  check(json.error === undefined && deepEqual(json.value, example), "output json parses to the example",
    json.error || outputs.get("json"));

  const printed = parseJson(fs.readFileSync(stdoutPath, "utf8"));
  const result = printed.value || {};
  check(printed.error === undefined, "--json stdout is one JSON object", printed.error);
  check(result.result === "ready" && result.exit_code === 0 && result.status === "Ready" && result.error === null,
    "--json says ready, exit_code 0, status Ready, error null",
    JSON.stringify({ result: result.result, exit_code: result.exit_code, status: result.status, error: result.error }));
  check(deepEqual(result.backup, example), "--json backup is the example", JSON.stringify(result.backup));
  check(result.version === JSON_VERSION, `--json version = ${JSON_VERSION}`, String(result.version));
  check(result.created === false && result.selected_by === "id" && result.stage === "backup",
    "--json created false, selected_by id, stage backup",
    JSON.stringify({ created: result.created, selected_by: result.selected_by, stage: result.stage }));
  check(String(result.attempts) === outputs.get("attempts"), "--json attempts = output attempts",
    `${result.attempts} vs ${outputs.get("attempts")}`);
}

function outputCommand(name, outputPath) {
  const { outputs } = parseGithubOutput(fs.readFileSync(outputPath, "utf8"));
  console.log(outputs.get(name) || "");
}

// ---- error examples ---------------------------------------------------------

// README, "Exit codes": what each HTTP error ends as, per operation. A
// create's 403 with Pinecone's backup-quota answer (FORBIDDEN, a message
// about the quota) is exit 6; any other 403 is a key that may not do this.
function expectedEnding(op, status, error) {
  const quota = op === "create" && status === 403 && error.code === "FORBIDDEN" && /quota/i.test(error.message);
  if (quota) return { code: 6, result: "error" };
  if (status === 429 && error.code === "QUOTA_EXCEEDED") return { code: 6, result: "error" };
  if (status === 401 || status === 403) return { code: 5, result: "unauthorized" };
  if (status === 404) return { code: 4, result: "not_found" };
  if (status === 408 || status === 429 || status >= 500) return { code: 3, result: "timeout" };
  return { code: 6, result: "error" };
}

function readRun(runDir) {
  const code = Number(fs.readFileSync(`${runDir}/exit_code`, "utf8"));
  const outputs = parseGithubOutput(fs.readFileSync(`${runDir}/output`, "utf8")).outputs;
  const printed = parseJson(fs.readFileSync(`${runDir}/stdout`, "utf8")).value || {};
  const stderr = fs.readFileSync(`${runDir}/stderr`, "utf8");
  return { code, outputs, printed, stderr };
}

function failureCommand(dir, op, statusText, exampleName, runDir) {
  const status = Number(statusText);
  const errors = JSON.parse(fs.readFileSync(`${dir}/errors-${op}.json`, "utf8"));
  const { error } = errors.find((e) => e.status === status && e.example === exampleName) || {};
  if (!error || typeof error.message !== "string" || typeof error.code !== "string") {
    return check(false, `example ${exampleName} is an ErrorResponse`, JSON.stringify(error));
  }
  const want = expectedEnding(op, status, error);
  let run;
  try {
    run = readRun(runDir);
  } catch (err) {
    return check(false, "GITHUB_OUTPUT parses as the runner reads it", err.message);
  }
  const { code, outputs, printed } = run;
  const message = outputs.get("error") || "";
  check(code === want.code, `exit code ${want.code}`, `got ${code}`);
  check(outputs.get("result") === want.result && printed.result === want.result, `result = ${want.result}`,
    `output ${outputs.get("result")}, --json ${printed.result}`);
  check(message.includes(`HTTP ${status}`), `error output names HTTP ${status}`, message);
  check(message.includes(error.message) && message.includes(error.code),
    `error output carries the example's message and code (${error.code})`, message);
  check(printed.error === message, "--json error = error output", printed.error);
  check(outputs.get("json") === "" && printed.backup === null, "no backup in json outputs");
  check(outputs.get("status") === "" && outputs.get("backup_id") === "", "backup fields are empty");
  if (op !== "describe") {
    const by = op === "create" ? "create" : "latest";
    check(outputs.get("created") === "false" && outputs.get("selected_by") === by && outputs.get("stage") === "select",
      `created false, selected_by ${by}, stage select`,
      JSON.stringify([outputs.get("created"), outputs.get("selected_by"), outputs.get("stage")]));
  }
}

// ---- create and latest against the spec's own answers -----------------------

function createdCommand(runDir) {
  let run;
  try {
    run = readRun(runDir);
  } catch (err) {
    return check(false, "GITHUB_OUTPUT parses as the runner reads it", err.message);
  }
  const { code, outputs, printed } = run;
  check(code === 0, "exit code 0 (Prism's 201 is already Ready)", `got ${code}`);
  check(outputs.get("created") === "true", "output created = true", outputs.get("created"));
  check(outputs.get("selected_by") === "create", "output selected_by = create", outputs.get("selected_by"));
  check(outputs.get("stage") === "backup", "output stage = backup", outputs.get("stage"));
  check(outputs.get("attempts") === "1", "one request: the create's answer needs no describe", outputs.get("attempts"));
  const answer = parseJson(outputs.get("json") || "").value || {};
  check(typeof answer.backup_id === "string" && outputs.get("backup_id") === answer.backup_id,
    "output backup_id is the created backup's", `${outputs.get("backup_id")} vs ${answer.backup_id}`);
  check(printed.version === JSON_VERSION && printed.created === true && printed.selected_by === "create",
    `--json version ${JSON_VERSION}, created true, selected_by create`, JSON.stringify(printed).slice(0, 200));
  const stages = (printed.stages || []).map((s) => s.stage).join(",");
  check(stages === "select,backup", "--json stages select, backup", stages);
}

function latestCommand(dir, runDir) {
  const example = JSON.parse(fs.readFileSync(`${dir}/list-example.json`, "utf8"));
  let run;
  try {
    run = readRun(runDir);
  } catch (err) {
    return check(false, "GITHUB_OUTPUT parses as the runner reads it", err.message);
  }
  const { code, outputs, stderr } = run;
  const count = (example.data || []).length;
  const next = (example.pagination || {}).next;
  check(typeof next === "string" && next.length > 0, "the list example has a pagination.next", JSON.stringify(next));
  check(new RegExp(`page 1 of index [a-z0-9-]+'s backups: ${count} backups?, more follow`).test(stderr),
    `the example's ${count} backups were read from page 1`, stderr.split("\n").filter((l) => /page 1/.test(l)).join(" | "));
  check(code === 6 && outputs.get("result") === "error", "exit code 6, result error", `got ${code} ${outputs.get("result")}`);
  check(/pagination loop/.test(outputs.get("error") || ""), "error output names the pagination loop", outputs.get("error"));
  check(outputs.get("selected_by") === "latest" && outputs.get("stage") === "select" && outputs.get("created") === "false",
    "selected_by latest, stage select, created false",
    JSON.stringify([outputs.get("selected_by"), outputs.get("stage"), outputs.get("created")]));
}

// ---- Prism log --------------------------------------------------------------

function logCommand(logPath, attemptsText, version, ...moreLogs) {
  const attempts = Number(attemptsText);
  const lines = [logPath, ...moreLogs].flatMap((path) =>
    // eslint-disable-next-line no-control-regex
    fs.readFileSync(path, "utf8").replace(/\x1b\[[0-9;]*m/g, "").split("\n"),
  );
  const count = (re) => lines.filter((l) => re.test(l)).length;
  const bad = lines.filter((l) => /Violation|did not pass the validation|\s(warning|error|fatal)\s/i.test(l));
  const received = count(/\[HTTP SERVER\].*Request received/);
  check(attempts >= 1, "the run made at least one request", `attempts ${attemptsText}`);
  const accepts = lines.filter((l) => /Request contains an accept header:/.test(l));
  check(received === attempts, `Prism received ${attempts} request(s)`, `received ${received}`);
  check(count(/\[VALIDATOR\].*The request passed the validation rules/) === attempts,
    "every request passed Prism's validation", `${count(/passed the validation rules/)} of ${attempts}`);
  check(accepts.length === attempts && accepts.every((l) => /accept header: application\/json\s*$/.test(l)),
    "every request sent Accept: application/json", accepts.join(" | ").trim());
  // Prism at --verboseLevel debug lists each request's headers as
  // "[NEGOTIATOR] ... debug < \tname: value"; names come lower-cased.
  const versions = lines
    .map((l) => /\[NEGOTIATOR\].*\bdebug\s+<\s+x-pinecone-api-version:\s*(.*?)\s*$/.exec(l))
    .filter(Boolean)
    .map((m) => m[1]);
  check(versions.length === attempts && versions.every((v) => v === version),
    `every request sent X-Pinecone-API-Version: ${version}`,
    `${versions.length} of ${attempts} requests sent it: ${JSON.stringify(versions)}`);
  check(bad.length === 0, "Prism logged no violation, warning or error", bad.map((l) => l.trim()).join(" | "));
}

// ---- restores ----------------------------------------------------------------

function loadSpec(path) {
  const yaml = require("js-yaml");
  return yaml.safeLoad(fs.readFileSync(path, "utf8"), { schema: yaml.CORE_SCHEMA });
}

// What Prism answers for a schema without a response example: each
// property's own example, in the schema's order.
function fromPropertyExamples(schema) {
  const model = {};
  for (const [name, property] of Object.entries(schema.properties || {})) {
    if (property.example !== undefined) model[name] = property.example;
  }
  return model;
}

function responseExamples(op, status) {
  const content = ((op.responses[status] || {}).content || {})["application/json"] || {};
  const examples = {};
  for (const [name, ex] of Object.entries(content.examples || {})) examples[name] = ex.value;
  return examples;
}

// Error statuses of OP whose response has no example (Prism makes one
// from the schema's).
function statusesWithoutExamples(op) {
  return Object.entries(op.responses)
    .filter(([status, response]) => /^[45][0-9][0-9]$/.test(status)
      && Object.keys((((response.content || {})["application/json"]) || {}).examples || {}).length === 0)
    .map(([status]) => Number(status));
}

function restoreSpecCommand(controlPath, dataPath, dir) {
  const spec = loadSpec(controlPath);
  const data = loadSpec(dataPath);
  const version = String(spec.info.version);
  if (String(data.info.version) !== version) {
    throw new Error(`${dataPath} is version ${data.info.version}, ${controlPath} ${version}`);
  }
  const op = (path, method) => {
    const found = (spec.paths[path] || {})[method];
    if (!found) throw new Error(`no ${method.toUpperCase()} ${path} in ${controlPath}`);
    return found;
  };
  const createIndex = op("/backups/{backup_id}/create-index", "post");
  const restoreJob = op("/restore-jobs/{job_id}", "get");
  const restoreJobs = op("/restore-jobs", "get");
  const index = op("/indexes/{index_name}", "get");
  const stats = ((data.paths["/describe_index_stats"] || {}).post);
  if (!stats) throw new Error(`no POST /describe_index_stats in ${dataPath}`);
  const schemas = spec.components.schemas;
  const [backup] = Object.values(responseExamples(op("/backups/{backup_id}", "get"), "200"));
  const restore = {
    version,
    backup,
    created: fromPropertyExamples(schemas.CreateIndexFromBackupResponse),
    job: fromPropertyExamples(schemas.RestoreJobModel),
    indexes: responseExamples(index, "200"),
    jobLists: responseExamples(restoreJobs, "200"),
    stats: data.components.schemas.IndexDescription.example,
    errors: {
      "create-index": errorExamples(createIndex),
      "restore-job": errorExamples(restoreJob),
      index: errorExamples(index),
    },
    withoutExamples: { "create-index": statusesWithoutExamples(createIndex) },
  };
  const fields = [version, (backup || {}).backup_id, restore.job.restore_job_id];
  if (fields.some((f) => typeof f !== "string" || !f || /\s/.test(f))) {
    throw new Error(`unexpected spec layout: ${JSON.stringify(fields)}`);
  }
  if (!restore.created.restore_job_id || !restore.created.index_id) {
    throw new Error(`CreateIndexFromBackupResponse gives no example ids: ${JSON.stringify(restore.created)}`);
  }
  if (Object.keys(restore.indexes).length === 0) throw new Error("describe_index has no 200 example");
  fs.writeFileSync(`${dir}/restore-spec.json`, JSON.stringify(restore, null, 2) + "\n");
  console.log(fields.join(" "));
}

function forwardCommand(upstreamPort, portFile, rulesFile, logFile) {
  const http = require("http");
  const readRules = () => {
    try {
      return JSON.parse(fs.readFileSync(rulesFile, "utf8"));
    } catch (err) {
      if (err.code === "ENOENT") return [];
      throw err;
    }
  };
  const answersUsed = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url.split("?")[0];
      const rules = readRules();
      const index = rules.findIndex((r) => r.method === req.method && new RegExp(r.path).test(path));
      let rule = rules[index] || {};
      // A rule with `answers` uses them in turn, the last one from then on.
      if (Array.isArray(rule.answers)) {
        const key = `${JSON.stringify(rules)}#${index}`;
        const used = answersUsed.get(key) || 0;
        answersUsed.set(key, used + 1);
        rule = rule.answers[Math.min(used, rule.answers.length - 1)];
      }
      const prefer = rule.prefer || null;
      const headers = { ...req.headers, host: `127.0.0.1:${upstreamPort}` };
      delete headers.prefer;
      if (prefer) headers.prefer = prefer;
      const entry = { method: req.method, target: req.url, prefer };
      const upstream = http.request(
        { host: "127.0.0.1", port: Number(upstreamPort), method: req.method, path: req.url, headers },
        (answer) => {
          const parts = [];
          answer.on("data", (part) => parts.push(part));
          answer.on("end", () => {
            let payload = Buffer.concat(parts);
            const answerHeaders = { ...answer.headers };
            entry.status = answer.statusCode;
            entry.rewritten = [];
            if (rule.rewrite && answer.statusCode === 200) {
              const model = "replace" in rule.rewrite
                ? JSON.parse(JSON.stringify(rule.rewrite.replace))
                : JSON.parse(payload.toString("utf8"));
              const segment = decodeURIComponent(path.split("/").pop());
              for (const [field, value] of Object.entries(rule.rewrite.set || {})) model[field] = value;
              for (const field of rule.rewrite.fromPath || []) model[field] = segment;
              entry.rewritten = [
                ...("replace" in rule.rewrite ? ["(body)"] : []),
                ...Object.keys(rule.rewrite.set || {}),
                ...(rule.rewrite.fromPath || []),
              ];
              payload = Buffer.from(JSON.stringify(model));
              answerHeaders["content-length"] = String(payload.length);
            }
            entry.body = payload.toString("utf8").slice(0, 2000);
            fs.appendFileSync(logFile, JSON.stringify(entry) + "\n");
            res.writeHead(answer.statusCode, answerHeaders);
            res.end(payload);
          });
        },
      );
      upstream.on("error", (err) => {
        entry.status = 502;
        entry.error = err.message;
        fs.appendFileSync(logFile, JSON.stringify(entry) + "\n");
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`forwarder: ${err.message}`);
      });
      upstream.end(body);
    });
  });
  server.listen(0, "127.0.0.1", () => {
    fs.writeFileSync(`${portFile}.partial`, String(server.address().port));
    fs.renameSync(`${portFile}.partial`, portFile);
  });
}

// The index the runs restore into (a name the specs' examples do not use).
const RESTORE_INDEX = "contract-restore";

// A deadline for runs that end at it, and a schedule that checks often.
const SHORT_RUN = ["--timeout", "2s", "--initial-interval", "200ms", "--max-interval", "500ms"];

// What a restore run meets, per case: the forwarder's rules, the waiter's
// arguments, and what the run must end as. DATA_HOST is the data-plane
// Prism's 127.0.0.1:PORT.
function restoreCases(spec, dataHost) {
  // A list example as the answer to GET /restore-jobs. Prism validates
  // its own answers, and refuses (500) to serve the examples whose
  // `pagination` is null, which RestoreJobList's schema does not allow;
  // the API sends such pages all the same, so the forwarder answers with
  // the example itself, in place of one Prism serves, once Prism has
  // validated the request.
  const servable = (v) => !(v.pagination === null);
  const listAnswer = (name) => {
    const value = spec.jobLists[name];
    if (servable(value)) return { prefer: `code=200, example=${name}` };
    const stand = Object.keys(spec.jobLists).find((n) => servable(spec.jobLists[n]));
    return { prefer: `code=200, example=${stand}`, rewrite: { replace: value } };
  };
  const census = (...names) => ({ method: "GET", path: "^/restore-jobs$", answers: names.map(listAnswer) });
  // The job asked for: the create's answer names another id than the one
  // the job example carries.
  const job = { method: "GET", path: "^/restore-jobs/[^/]+$", rewrite: { fromPath: ["restore_job_id"] } };
  // The index asked for, ready, at the data-plane Prism.
  const readyIndex = {
    method: "GET",
    path: "^/indexes/[^/]+$",
    rewrite: { fromPath: ["name"], set: { host: dataHost, status: { ready: true, state: "Ready" } } },
  };
  const lists = Object.entries(spec.jobLists);
  const listNamed = (test) => (lists.find(([, value]) => test(value)) || [])[0];
  const paginated = listNamed((v) => v.pagination && v.pagination.next);
  const single = listNamed((v) => !(v.pagination && v.pagination.next) && (v.data || []).length === 1);
  const empty = listNamed((v) => (v.data || []).length === 0);
  if (!paginated || !single || !empty) throw new Error(`unexpected list_restore_jobs examples: ${JSON.stringify(lists)}`);
  const fromBackup = ["--backup-id", spec.backup.backup_id, "--restore-to-index", RESTORE_INDEX];
  const fromJob = ["--restore-job-id", spec.job.restore_job_id];
  const cases = [
    {
      id: "created",
      what: `create-index, job, index and describe_index_stats (census: list example '${single}')`,
      rules: [census(single), job, readyIndex],
      args: [...fromBackup, ...SHORT_RUN],
    },
    {
      id: "tagged",
      what: `create-index with tags and deletion protection, --no-restore-verify (census: '${empty}')`,
      rules: [census(empty), job, readyIndex],
      args: [...fromBackup, "--restore-tags", '{"purpose":"contract-check"}',
        "--restore-deletion-protection", "disabled", "--no-restore-verify", ...SHORT_RUN],
    },
    {
      id: `list-loop:${paginated}`,
      what: `census against list example '${paginated}', served for every page`,
      rules: [census(paginated)],
      args: [...fromBackup, ...SHORT_RUN],
    },
    {
      id: `adopt:${single}`,
      what: `create-index answered 500, then its job found in list example '${single}'`,
      rules: [
        census(empty, single),
        { method: "POST", path: "^/backups/[^/]+/create-index$", prefer: "code=500" },
        job,
        readyIndex,
      ],
      args: ["--backup-id", spec.backup.backup_id, "--restore-to-index", spec.jobLists[single].data[0].target_index_name,
        "--no-restore-verify", ...SHORT_RUN],
    },
  ];
  for (const name of Object.keys(spec.indexes)) {
    cases.push({
      id: `index-example:${name}`,
      what: `--restore-job-id, describe_index example '${name}' as served (name aside)`,
      rules: [job, { method: "GET", path: "^/indexes/[^/]+$", prefer: `code=200, example=${name}`,
        rewrite: { fromPath: ["name"] } }],
      args: [...fromJob, "--no-restore-verify", ...SHORT_RUN],
    });
  }
  const errorRoutes = {
    "create-index": { method: "POST", path: "^/backups/[^/]+/create-index$" },
    "restore-job": { method: "GET", path: "^/restore-jobs/[^/]+$" },
    index: { method: "GET", path: "^/indexes/[^/]+$" },
  };
  const errors = Object.entries(spec.errors).flatMap(([op, list]) => list.map((e) => ({ op, ...e })));
  for (const status of spec.withoutExamples["create-index"]) errors.push({ op: "create-index", status, example: null });
  for (const { op, status, example } of errors) {
    const route = { ...errorRoutes[op], prefer: example ? `code=${status}, example=${example}` : `code=${status}` };
    const rules = {
      "create-index": [census(empty), route],
      "restore-job": [route],
      index: [job, route],
    }[op];
    cases.push({
      id: `error:${op}:${status}:${example || "-"}`,
      what: `${op} answering HTTP ${status} ${example ? `example '${example}'` : "(no example: the schema's)"}`,
      rules,
      args: [...(op === "create-index" ? fromBackup : fromJob), "--no-restore-verify", ...SHORT_RUN],
    });
  }
  return cases;
}

// Prints one line per case: ID, WHAT, RULES (JSON) and the waiter's
// arguments, separated by tabs.
function restoreCasesCommand(dir, dataHost) {
  const spec = JSON.parse(fs.readFileSync(`${dir}/restore-spec.json`, "utf8"));
  for (const c of restoreCases(spec, dataHost)) {
    if ([c.id, c.what, ...c.args].some((f) => /[\t\n]/.test(f))) throw new Error(`a tab or newline in ${c.id}`);
    console.log([c.id, c.what, JSON.stringify(c.rules), ...c.args].join("\t"));
  }
}

// The requests a Prism log shows: method, path with query, body.
function prismRequests(logPath) {
  // eslint-disable-next-line no-control-regex
  const lines = fs.readFileSync(logPath, "utf8").replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const requests = [];
  for (const line of lines) {
    const received = /\[HTTP SERVER\] (\w+) (\S+) .*Request received/.exec(line);
    if (received) requests.push({ method: received[1].toUpperCase(), target: received[2], body: null });
    const body = /\[NEGOTIATOR\].*\bdebug\s+<\s+Body: (.*)$/.exec(line);
    if (body && requests.length) requests[requests.length - 1].body = body[1];
  }
  return requests;
}

function readJsonLines(path) {
  return fs.readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

// What an error answer of OP ends as (README, "Exit codes", and the
// restore's endings).
function expectedRestoreEnding(op, status, error) {
  if (op === "create-index" && status === 403 && error && error.code === "FORBIDDEN" && /quota/i.test(error.message)) {
    return { code: 6, result: "error" };
  }
  if (status === 429 && error && error.code === "QUOTA_EXCEEDED") return { code: 6, result: "error" };
  if (status === 401 || status === 403) return { code: 5, result: "unauthorized" };
  if (status === 404) return { code: 4, result: "not_found" };
  if (status === 408 || status === 429 || status >= 500) return { code: 3, result: "timeout" };
  return { code: 6, result: "error" };
}

// How the waiter counts the namespaces of describe_index_stats: every one
// listed, but an empty default namespace ("" or "__default__").
function countedNamespaces(stats) {
  return Object.entries(stats.namespaces || {}).filter(
    ([name, summary]) => !((name === "" || name === "__default__") && !Number((summary || {}).vectorCount)),
  ).length;
}

function expectOutputs(outputs, want) {
  for (const [name, value] of Object.entries(want)) {
    const actual = outputs.get(name);
    if (value instanceof RegExp) check(value.test(actual || ""), `output ${name} matches ${value}`, JSON.stringify(actual));
    else check(actual === value, `output ${name} = ${JSON.stringify(value)}`, `got ${JSON.stringify(actual)}`);
  }
}

function expectEnding(run, code, result, stage) {
  check(run.code === code, `exit code ${code}`, `got ${run.code}`);
  check(run.outputs.get("result") === result && run.printed.result === result, `result = ${result}`,
    `output ${run.outputs.get("result")}, --json ${run.printed.result}`);
  check(run.outputs.get("stage") === stage && run.printed.stage === stage, `stage = ${stage}`,
    `output ${run.outputs.get("stage")}, --json ${run.printed.stage}`);
  check(run.printed.version === JSON_VERSION, `--json version = ${JSON_VERSION}`, String(run.printed.version));
}

function restoreCommand(id, dir, runDir) {
  const spec = JSON.parse(fs.readFileSync(`${dir}/restore-spec.json`, "utf8"));
  const dataHost = readJsonLines(`${dir}/data-host.json`)[0];
  let run;
  try {
    run = readRun(runDir);
  } catch (err) {
    return check(false, "GITHUB_OUTPUT parses as the runner reads it", err.message);
  }
  const { outputs, printed, stderr } = run;
  const control = prismRequests(`${runDir}/prism.log`);
  const data = prismRequests(`${runDir}/data.log`);
  const forwarded = readJsonLines(`${runDir}/forwarder.log`);
  const posts = control.filter((r) => r.method === "POST" && /\/create-index$/.test(r.target));
  const error = outputs.get("error") || "";
  check(printed.error === (error || null), "--json error = error output", JSON.stringify(printed.error));
  const noDataPlane = () => check(data.length === 0, "no describe_index_stats request", `${data.length} made`);
  const notOurs = () => expectOutputs(outputs, { restore_created: "false", restored_index_name: "", restored_index_id: "" });
  const [kind, ...rest] = id.split(":");

  if (kind === "created" || kind === "tagged") {
    const tagged = kind === "tagged";
    const job = { ...spec.job, restore_job_id: spec.created.restore_job_id };
    const stats = spec.stats;
    if (tagged) expectEnding(run, 0, "ready", "index");
    else expectEnding(run, 1, "failed", "verify");
    expectOutputs(outputs, {
      backup_id: spec.backup.backup_id,
      selected_by: "id",
      created: "false",
      restore_job_id: spec.created.restore_job_id,
      restore_status: job.status,
      restore_percent_complete: String(job.percent_complete),
      restore_created: "true",
      restored_index_name: RESTORE_INDEX,
      restored_index_id: spec.created.index_id,
      restored_index_host: dataHost,
      restored_index_state: "Ready",
      restored_record_count: tagged ? "" : String(stats.totalVectorCount),
    });
    const body = parseJson((posts[0] || {}).body || "");
    const wantBody = tagged
      ? { name: RESTORE_INDEX, tags: { purpose: "contract-check" }, deletion_protection: "disabled" }
      : { name: RESTORE_INDEX };
    check(posts.length === 1 && deepEqual(body.value, wantBody), `one create-index, body ${JSON.stringify(wantBody)}`,
      `${posts.length} sent: ${posts.map((p) => p.body).join(" | ")}`);
    const census = forwarded.findIndex((f) => f.method === "GET" && f.target === "/restore-jobs?limit=100");
    const post = forwarded.findIndex((f) => f.method === "POST");
    check(census >= 0 && census < post, "the restore jobs were read before the create-index (census)",
      forwarded.map((f) => `${f.method} ${f.target}`).join(", "));
    check(deepEqual(printed.restore_job, job), "--json restore_job is the job example (its id the one asked for)",
      JSON.stringify(printed.restore_job));
    const index = printed.index || {};
    check(index.name === RESTORE_INDEX && index.host === dataHost && index.status && index.status.ready === true,
      "--json index is the describe_index example made ready at the data-plane Prism", JSON.stringify(index).slice(0, 300));
    const rewrites = forwarded.filter((f) => f.rewritten.length).map((f) => `${f.target}: ${f.rewritten.sort().join(",")}`);
    const expectedRewrites = [
      "/restore-jobs?limit=100: (body)", // a list example Prism refuses to serve (restoreCases)
      `/restore-jobs/${spec.created.restore_job_id}: restore_job_id`,
      `/indexes/${RESTORE_INDEX}: host,name,status`,
    ];
    check(rewrites.length >= 2 && rewrites.every((r) => expectedRewrites.includes(r)),
      "the forwarder changed only the job's id and the index's name, host and status", rewrites.join(" | "));
    if (tagged) {
      noDataPlane();
      check(printed.verify === null, "--json verify is null", JSON.stringify(printed.verify));
    } else {
      check(data.length >= 1 && data.every((r) => r.method === "POST" && r.target === "/describe_index_stats"
        && deepEqual(parseJson(r.body || "").value, {})),
        "describe_index_stats with body {} reached the data-plane Prism", data.map((r) => `${r.method} ${r.target} ${r.body}`).join(" | "));
      const verify = printed.verify || {};
      const namespaces = countedNamespaces(stats);
      check(deepEqual(verify.stats, stats), "--json verify.stats is the IndexDescription example", JSON.stringify(verify.stats));
      check(verify.records === stats.totalVectorCount && verify.namespaces === namespaces
        && verify.expected_records === spec.backup.record_count && verify.expected_namespaces === spec.backup.namespace_count
        && verify.matches === false,
        `--json verify: ${stats.totalVectorCount} records in ${namespaces} namespaces against the backup's ` +
          `${spec.backup.record_count} in ${spec.backup.namespace_count}, no match`, JSON.stringify({ ...verify, stats: undefined }));
      check(error.includes(String(stats.totalVectorCount)) && error.includes(String(spec.backup.record_count)),
        "the error gives both record counts", error);
    }
    const stages = (printed.stages || []).map((st) => st.stage).join(",");
    const want = tagged ? "backup,restore,index" : "backup,restore,index,verify";
    check(stages === want, `--json stages ${want}`, stages);
  } else if (kind === "list-loop") {
    const example = spec.jobLists[rest[0]];
    expectEnding(run, 6, "error", "restore");
    notOurs();
    check(/pagination loop/.test(error), "the error names the pagination loop", error);
    check(posts.length === 0, "no create-index was sent", `${posts.length} sent`);
    const token = encodeURIComponent(example.pagination.next);
    check(forwarded.some((f) => f.target === `/restore-jobs?limit=100&paginationToken=${token}`),
      "page 2 asked for with the example's pagination.next", forwarded.map((f) => f.target).join(", "));
    const jobs = example.data.length;
    check(stderr.includes(`page 1, ${jobs} job${jobs === 1 ? "" : "s"}; more follow`),
      `the example's ${jobs} job(s) were read from page 1`, stderr.split("\n").filter((l) => /page 1/.test(l)).join(" | "));
    noDataPlane();
  } else if (kind === "adopt") {
    const listed = spec.jobLists[rest[0]].data[0];
    expectEnding(run, 0, "ready", "index");
    expectOutputs(outputs, {
      restore_created: "true",
      restore_job_id: listed.restore_job_id,
      restored_index_name: listed.target_index_name,
      restored_index_id: listed.target_index_id,
      restore_status: spec.job.status,
    });
    check(posts.length === 1, "the create-index was sent once (its job was found, not sent again)", `${posts.length} sent`);
    const lists = forwarded.filter((f) => f.method === "GET" && f.target.startsWith("/restore-jobs?"));
    check(lists.length === 2, "the restore jobs were read twice: census, then the look", lists.map((f) => f.target).join(", "));
    check(/found this run's restore job after all/.test(stderr), "the log says the job was found after all",
      stderr.split("\n").filter((l) => /restore job/.test(l)).join(" | "));
    noDataPlane();
  } else if (kind === "index-example") {
    const example = spec.indexes[rest[0]];
    const state = (example.status || {}).state;
    const ready = (example.status || {}).ready === true && state === "Ready";
    const failed = ["InitializationFailed", "Failed", "Terminating", "Disabled"].includes(state);
    if (ready) expectEnding(run, 0, "ready", "index");
    else if (failed) expectEnding(run, 1, "failed", "index");
    else expectEnding(run, 3, "timeout", "index");
    notOurs();
    check(printed.backup_id === spec.job.backup_id, "--json backup_id is the job's backup", JSON.stringify(printed.backup_id));
    expectOutputs(outputs, {
      selected_by: "restore_job",
      restore_job_id: spec.job.restore_job_id,
      restore_status: spec.job.status,
      restore_percent_complete: String(spec.job.percent_complete),
      restored_index_host: example.host,
      restored_index_state: state,
      restored_record_count: "",
    });
    check(deepEqual(printed.index, { ...example, name: spec.job.target_index_name }),
      `--json index is example '${rest[0]}' (named as the job's index)`, JSON.stringify(printed.index).slice(0, 300));
    check(deepEqual(printed.restore_job, spec.job), "--json restore_job is the job example", JSON.stringify(printed.restore_job));
    noDataPlane();
  } else if (kind === "error") {
    const [op, statusText, exampleName] = rest;
    const status = Number(statusText);
    const example = exampleName === "-" ? null : (spec.errors[op].find((e) => e.status === status && e.example === exampleName) || {});
    const body = example ? example.error : null;
    if (example && (!body || typeof body.message !== "string" || typeof body.code !== "string")) {
      return check(false, `example ${exampleName} is an ErrorResponse`, JSON.stringify(body));
    }
    const want = expectedRestoreEnding(op, status, body);
    expectEnding(run, want.code, want.result, op === "index" ? "index" : "restore");
    notOurs();
    check(error.includes(`HTTP ${status}`), `error output names HTTP ${status}`, error);
    if (body) {
      check(error.includes(body.message) && error.includes(body.code),
        `error output carries the example's message and code (${body.code})`, error);
    }
    if (op === "create-index") {
      if (want.code === 3) {
        const order = forwarded.map((f) => (f.method === "POST" ? "POST" : f.target.startsWith("/restore-jobs?") ? "list" : "other"));
        const firstPost = order.indexOf("POST");
        const secondPost = order.indexOf("POST", firstPost + 1);
        check(firstPost >= 0 && secondPost > firstPost && order.slice(firstPost, secondPost).includes("list"),
          "after the ambiguous answer the jobs were looked at before the create-index was sent again",
          forwarded.map((f) => `${f.method} ${f.target}`).join(", "));
      } else {
        check(posts.length === 1, "the create-index was sent once", `${posts.length} sent`);
      }
      if (status === 409) {
        check(error.includes(RESTORE_INDEX) && /not created by this run/.test(error),
          `the error names index ${RESTORE_INDEX}, not created by this run`, error);
      }
    }
    noDataPlane();
  } else {
    throw new Error(`unknown restore case ${id}`);
  }
}

// ---- main -----------------------------------------------------------------

const commands = {
  spec: specCommand,
  "error-cases": errorCasesCommand,
  outputs: outputsCommand,
  output: outputCommand,
  failure: failureCommand,
  created: createdCommand,
  latest: latestCommand,
  log: logCommand,
  "restore-spec": restoreSpecCommand,
  "restore-cases": restoreCasesCommand,
  restore: restoreCommand,
};
// A checking command: runs it, prints the tally, exits 1 if a check failed.
function runChecks(command, args) {
  if (!commands[command]) {
    console.error(
      "usage: check.cjs spec|error-cases|outputs|output|failure|created|latest|log|restore-spec|forward|restore " +
        "ARGS... (see the header of this file)",
    );
    process.exit(2);
  }
  commands[command](...args);
  if (checks) {
    const tally = failures ? `FAIL ${failures} of ${checks} checks` : `ok   ${checks} checks`;
    console.log(`  ${tally}: ${TALLIES[command] || TALLIES[`${command} ${args[0]}`] || command}`);
  }
  process.exit(failures ? 1 : 0);
}

const [command, ...args] = process.argv.slice(2);
if (command === "forward") {
  forwardCommand(...args); // serves until killed
} else {
  runChecks(command, args);
}
