// Conformance: the official Databricks JavaScript SDK (@databricks/sdk-experimental) drives
// `fake-databricks serve` through its public API only: its services, its iterators, its waiters,
// its retry loop and its error type. If the SDK cannot tell the emulator from a workspace, these
// pass. Run with FAKE_DATABRICKS_BIN=<path to the fake-databricks binary> node --test.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";

import sdk from "@databricks/sdk-experimental";

const { WorkspaceClient, ApiError, Time, TimeUnits } = sdk;
const require = createRequire(import.meta.url);

const TOKEN = "dapi-sdk-conformance";
const TIME_SCALE = 1000; // a virtual minute is 60 ms of wall time
// A batch task takes one virtual minute; a path with "stream" in it never ends by itself.
const CONFIG = {
  workloads: {
    default: { kind: "batch", duration_ms: { fixed: 60000 } },
    rules: [
      { match: { path: "*stream*" }, model: { kind: "streaming" } },
      // fails its first attempt, succeeds when repaired
      { match: { path: "*flaky*" }, model: { kind: "scripted", fail_on_attempts: [0], duration_ms: 30000 } },
    ],
  },
  limits: { rate_limits: false },
};
const WAIT = { timeout: new Time(60, TimeUnits.seconds) }; // every SDK waiter is bounded

// The SDK's own enums, read from its published type declarations, so that every state the
// emulator reports is one the SDK knows.
function sdkEnum(model, name) {
  const file = require.resolve(`@databricks/sdk-experimental/dist/apis/${model}/model.d.ts`);
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, ""); // drop the doc comments
  const start = text.indexOf(`export type ${name} = `);
  assert.ok(start >= 0, `the SDK declares ${model}.${name}`);
  const end = text.indexOf(";", start);
  const values = new Set(text.slice(start, end).match(/"[A-Z_0-9]+"/g).map((s) => s.slice(1, -1)));
  assert.ok(values.size > 0);
  return values;
}
const ENUMS = {
  lifeCycle: sdkEnum("jobs", "RunLifeCycleState"),
  result: sdkEnum("jobs", "RunResultState"),
  v2State: sdkEnum("jobs", "RunLifecycleStateV2State"),
  terminationCode: sdkEnum("jobs", "TerminationCodeCode"),
  terminationType: sdkEnum("jobs", "TerminationTypeType"),
  runType: sdkEnum("jobs", "RunType"),
  trigger: sdkEnum("jobs", "TriggerType"),
  clusterState: sdkEnum("compute", "State"),
  clusterReason: sdkEnum("compute", "TerminationReasonCode"),
  clusterReasonType: sdkEnum("compute", "TerminationReasonType"),
  clusterSource: sdkEnum("compute", "ClusterSource"),
  clusterEvent: sdkEnum("compute", "EventType"),
};

function inEnum(set, value, what) {
  if (value === undefined) return;
  assert.ok(set.has(value), `${what} = ${JSON.stringify(value)} is not a value the SDK knows`);
}

// A run (or a task run) as the SDK's model describes it.
function checkRunShape(run, what = "run") {
  assert.ok(Number.isSafeInteger(run.run_id), `${what}.run_id is an integer`);
  assert.ok(run.state, `${what}.state is present`);
  inEnum(ENUMS.lifeCycle, run.state.life_cycle_state, `${what}.state.life_cycle_state`);
  inEnum(ENUMS.result, run.state.result_state, `${what}.state.result_state`);
  assert.ok(run.status, `${what}.status is present`);
  inEnum(ENUMS.v2State, run.status.state, `${what}.status.state`);
  const details = run.status.termination_details;
  if (details) {
    inEnum(ENUMS.terminationCode, details.code, `${what}.status.termination_details.code`);
    inEnum(ENUMS.terminationType, details.type, `${what}.status.termination_details.type`);
  }
  inEnum(ENUMS.runType, run.run_type, `${what}.run_type`);
  inEnum(ENUMS.trigger, run.trigger, `${what}.trigger`);
  for (const [i, task] of (run.tasks ?? []).entries()) checkRunShape(task, `${what}.tasks[${i}]`);
}

function checkClusterShape(c) {
  assert.equal(typeof c.cluster_id, "string");
  inEnum(ENUMS.clusterState, c.state, "cluster.state");
  inEnum(ENUMS.clusterSource, c.cluster_source, "cluster.cluster_source");
  if (c.termination_reason) {
    inEnum(ENUMS.clusterReason, c.termination_reason.code, "cluster.termination_reason.code");
    inEnum(ENUMS.clusterReasonType, c.termination_reason.type, "cluster.termination_reason.type");
  }
}

// ---------------------------------------------------------------------------------------------
// The server, started by the test itself.

let server; // the child process
let baseUrl;
let tmp;
let w; // the WorkspaceClient

async function startServer() {
  const bin = process.env.FAKE_DATABRICKS_BIN;
  assert.ok(bin, "FAKE_DATABRICKS_BIN names the fake-databricks binary");
  tmp = mkdtempSync(path.join(tmpdir(), "fakedb-sdk-"));
  const configFile = path.join(tmp, "workspace.json");
  writeFileSync(configFile, JSON.stringify(CONFIG));
  server = spawn(
    bin,
    ["serve", "--port", "0", "--token", TOKEN, "--time-scale", String(TIME_SCALE), "--config", configFile],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  server.stderr.on("data", (d) => (stderr += d));
  const lines = readline.createInterface({ input: server.stdout });
  baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 10 s; stderr: ${stderr}`)), 10000);
    server.once("exit", (code) => reject(new Error(`fake-databricks exited with ${code}: ${stderr}`)));
    lines.on("line", (line) => {
      const m = line.match(/listening on (https?:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

async function stopServer() {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

function client(token = TOKEN) {
  // Host and token explicitly: nothing from the environment or ~/.databrickscfg.
  return new WorkspaceClient({ host: baseUrl, token, authType: "pat" });
}

// The test-only admin endpoints (not part of the Databricks API; plain fetch).
async function admin(method, route, body) {
  const res = await fetch(`${baseUrl}/__fake/${route}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `admin ${method} ${route}: ${JSON.stringify(json)}`);
  return json;
}

// The API calls the server saw since `mark` (a value from traceMark()).
let traceEnd = 0;
async function traceMark() {
  for (;;) {
    const { events, next } = await admin("GET", `trace?since=${traceEnd}`);
    traceEnd = next;
    if (events.length === 0) return traceEnd;
  }
}
async function apiCallsSince(mark) {
  const { events } = await admin("GET", `trace?since=${mark}`);
  return events.filter((e) => e.type === "api.call");
}

async function expectApiError(promise, { status, code, message }) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, "the call failed");
  assert.ok(err instanceof ApiError, `an ApiError, got ${err?.constructor?.name}: ${err?.message}`);
  if (status !== undefined) assert.equal(err.statusCode, status, err.message);
  if (code !== undefined) assert.equal(err.errorCode, code, err.message);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}

// Polls runs/get through the SDK until `pred` holds (bounded), for states no waiter waits for.
async function pollRun(runId, pred, what) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const run = await w.jobs.getRun({ run_id: runId });
    if (pred(run)) return run;
    assert.ok(Date.now() < deadline, `run ${runId} never became ${what}; last ${run.state.life_cycle_state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const notebookTask = (key, notebookPath) => ({ task_key: key, notebook_task: { notebook_path: notebookPath } });

before(async () => {
  for (const k of Object.keys(process.env)) {
    if (k.startsWith("DATABRICKS_")) delete process.env[k];
  }
  await startServer();
  w = client();
});

after(async () => {
  await stopServer();
});

// ---------------------------------------------------------------------------------------------

describe("jobs", () => {
  let jobId;

  test("create and get", async () => {
    const created = await w.jobs.create({
      name: "sdk-etl",
      description: "created by the SDK",
      tags: { team: "kiln" },
      max_concurrent_runs: 3,
      tasks: [notebookTask("ingest", "/Shared/etl/ingest")],
    });
    assert.ok(Number.isSafeInteger(created.job_id));
    jobId = created.job_id;

    const job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.job_id, jobId);
    assert.equal(job.settings.name, "sdk-etl");
    assert.equal(job.settings.description, "created by the SDK");
    assert.deepEqual(job.settings.tags, { team: "kiln" });
    assert.equal(job.settings.max_concurrent_runs, 3);
    assert.equal(job.settings.tasks.length, 1);
    assert.equal(job.settings.tasks[0].task_key, "ingest");
    assert.equal(job.settings.tasks[0].notebook_task.notebook_path, "/Shared/etl/ingest");
    assert.ok(Number.isSafeInteger(job.created_time) && job.created_time > 0);
    assert.equal(typeof job.creator_user_name, "string");
  });

  test("reset replaces every setting", async () => {
    await w.jobs.reset({
      job_id: jobId,
      new_settings: { name: "sdk-etl-v2", tasks: [notebookTask("load", "/Shared/etl/load")] },
    });
    const job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.settings.name, "sdk-etl-v2");
    assert.equal(job.settings.description, undefined);
    assert.equal(job.settings.tags, undefined);
    assert.deepEqual(job.settings.tasks.map((t) => t.task_key), ["load"]);
  });

  test("update merges tasks by key and removes fields", async () => {
    await w.jobs.update({
      job_id: jobId,
      new_settings: { description: "updated", tags: { a: "1" }, tasks: [notebookTask("report", "/Shared/etl/report")] },
    });
    let job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.settings.name, "sdk-etl-v2");
    assert.equal(job.settings.description, "updated");
    assert.deepEqual(job.settings.tasks.map((t) => t.task_key).sort(), ["load", "report"]);

    await w.jobs.update({ job_id: jobId, fields_to_remove: ["tags", "tasks/report"] });
    job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.settings.tags, undefined);
    assert.deepEqual(job.settings.tasks.map((t) => t.task_key), ["load"]);
  });

  test("list pages through every job with the SDK's iterator", async () => {
    const ids = new Set();
    for (let i = 0; i < 30; i++) {
      const { job_id } = await w.jobs.create({
        name: `sdk-page-${String(i).padStart(2, "0")}`,
        tasks: [notebookTask("t", "/Shared/page")],
      });
      ids.add(job_id);
    }
    const mark = await traceMark();
    const seen = [];
    for await (const job of w.jobs.list({ limit: 7 })) seen.push(job.job_id);
    const pages = (await apiCallsSince(mark)).filter((e) => e.path === "/api/2.2/jobs/list");
    assert.equal(new Set(seen).size, seen.length, "no job is listed twice");
    for (const id of ids) assert.ok(seen.includes(id), `job ${id} is listed`);
    assert.ok(seen.includes(jobId));
    assert.ok(pages.length >= 5, `31 jobs at 7 a page take at least 5 pages, took ${pages.length}`);

    // name filter: exact, case-insensitive
    const named = [];
    for await (const job of w.jobs.list({ name: "SDK-PAGE-07" })) named.push(job.settings.name);
    assert.deepEqual(named, ["sdk-page-07"]);
  });

  test("a job of 150 tasks: 2.2 pages its tasks at 100, the SDK follows next_page_token", async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    const { job_id } = await w.jobs.create({
      name: "sdk-wide",
      tasks: keys.map((k) => notebookTask(k, `/Shared/wide/${k}`)),
    });
    const first = await w.jobs.get({ job_id });
    assert.equal(first.settings.tasks.length, 100);
    assert.equal(typeof first.next_page_token, "string");
    const second = await w.jobs.get({ job_id, page_token: first.next_page_token });
    assert.equal(second.settings.tasks.length, 50);
    assert.equal(second.next_page_token, undefined);
    const all = [...first.settings.tasks, ...second.settings.tasks].map((t) => t.task_key);
    assert.deepEqual(all.sort(), keys);
    await w.jobs.delete({ job_id });
  });

  test("delete, then the job is gone", async () => {
    const { job_id } = await w.jobs.create({ name: "sdk-doomed", tasks: [notebookTask("t", "/Shared/x")] });
    await w.jobs.delete({ job_id });
    await expectApiError(w.jobs.get({ job_id }), {
      status: 400,
      code: "INVALID_PARAMETER_VALUE",
      message: new RegExp(`^Job ${job_id} does not exist\\.$`),
    });
  });
});

describe("runs", () => {
  let batchJob; // a job whose one task takes a virtual minute
  let streamJob; // a job whose task never ends by itself
  let streamRun;
  let batchRunId;

  before(async () => {
    batchJob = (await w.jobs.create({ name: "sdk-batch", tasks: [notebookTask("work", "/Shared/batch/work")] })).job_id;
    streamJob = (
      await w.jobs.create({ name: "sdk-stream", tasks: [notebookTask("consume", "/Shared/stream/consume")] })
    ).job_id;
  });

  test("run-now waited to its end by the SDK's waiter", async () => {
    const states = [];
    const waiter = await w.jobs.runNow({ job_id: batchJob });
    assert.ok(Number.isSafeInteger(waiter.run_id));
    assert.equal(waiter.number_in_job, waiter.run_id, "number_in_job is set to the run_id");
    const run = await waiter.wait({ ...WAIT, onProgress: async (r) => states.push(r.state.life_cycle_state) });
    batchRunId = run.run_id;
    assert.equal(run.run_id, waiter.run_id);
    assert.equal(run.job_id, batchJob);
    assert.equal(run.state.life_cycle_state, "TERMINATED");
    assert.equal(run.state.result_state, "SUCCESS");
    assert.equal(run.status.state, "TERMINATED");
    assert.equal(run.status.termination_details.code, "SUCCESS");
    assert.equal(run.run_type, "JOB_RUN");
    assert.equal(run.trigger, "ONE_TIME");
    assert.ok(run.start_time > 0 && run.end_time >= run.start_time);
    assert.equal(run.tasks.length, 1);
    assert.equal(run.tasks[0].task_key, "work");
    assert.equal(run.tasks[0].state.result_state, "SUCCESS");
    checkRunShape(run);
    assert.ok(states.length >= 2, `the waiter polled more than once: ${states}`);
    assert.notEqual(states[0], "TERMINATED", "the run was not over when run-now answered");
    for (const s of states) inEnum(ENUMS.lifeCycle, s, "a polled life_cycle_state");

    const output = await w.jobs.getRunOutput({ run_id: run.tasks[0].run_id });
    assert.equal(output.metadata.run_id, run.tasks[0].run_id);
  });

  test("runs/submit: a one-time run, waited", async () => {
    const waiter = await w.jobs.submit({
      run_name: "sdk-one-off",
      tasks: [notebookTask("once", "/Shared/batch/once")],
    });
    assert.ok(Number.isSafeInteger(waiter.run_id));
    const run = await waiter.wait(WAIT);
    assert.equal(run.run_name, "sdk-one-off");
    assert.equal(run.run_type, "SUBMIT_RUN");
    assert.equal(run.state.life_cycle_state, "TERMINATED");
    assert.equal(run.state.result_state, "SUCCESS");
    checkRunShape(run);
  });

  test("an idempotent run-now: the same token gives the same run", async () => {
    const token = `sdk-idem-${Date.now()}`;
    const first = await w.jobs.runNow({ job_id: batchJob, idempotency_token: token });
    const second = await w.jobs.runNow({ job_id: batchJob, idempotency_token: token });
    assert.equal(second.run_id, first.run_id);
    const run = await second.wait(WAIT);
    assert.equal(run.state.result_state, "SUCCESS");
    const third = await w.jobs.runNow({ job_id: batchJob, idempotency_token: token });
    assert.equal(third.run_id, first.run_id, "a finished run's token still dedupes");
  });

  test("a lost run-now answer: the SDK retries the 429 and the token keeps it to one run", async () => {
    const { job_id } = await w.jobs.create({ name: "sdk-lost-answer", tasks: [notebookTask("t", "/Shared/batch/t")] });
    await admin("POST", "faults", {
      pattern: "POST /api/2.2/jobs/run-now",
      status: 429,
      times: 1,
      after_handler: true,
    });
    const mark = await traceMark();
    const waiter = await w.jobs.runNow({ job_id, idempotency_token: `sdk-lost-${Date.now()}` });
    const calls = (await apiCallsSince(mark)).filter((e) => e.path === "/api/2.2/jobs/run-now");
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 200],
    );
    const runs = [];
    for await (const r of w.jobs.listRuns({ job_id })) runs.push(r.run_id);
    assert.deepEqual(runs, [waiter.run_id], "exactly one run was started");
    await waiter.wait(WAIT);
  });

  test("cancel a running streaming run and wait for its end", async () => {
    const waiter = await w.jobs.runNow({ job_id: streamJob });
    streamRun = waiter.run_id;
    const running = await pollRun(streamRun, (r) => r.state.life_cycle_state === "RUNNING", "RUNNING");
    checkRunShape(running);

    // runs/list filters while it runs
    const active = [];
    for await (const r of w.jobs.listRuns({ active_only: true })) active.push(r);
    assert.ok(active.some((r) => r.run_id === streamRun), "the streaming run is active");
    for (const r of active) {
      assert.ok(["QUEUED", "PENDING", "RUNNING", "TERMINATING"].includes(r.state.life_cycle_state));
      checkRunShape(r);
    }
    const completed = [];
    for await (const r of w.jobs.listRuns({ completed_only: true })) completed.push(r);
    assert.ok(completed.some((r) => r.run_id === batchRunId));
    assert.ok(!completed.some((r) => r.run_id === streamRun));
    for (const r of completed) {
      assert.ok(["TERMINATED", "SKIPPED", "INTERNAL_ERROR"].includes(r.state.life_cycle_state));
    }
    const mark = await traceMark();
    const ofJob = [];
    for await (const r of w.jobs.listRuns({ job_id: batchJob, limit: 1 })) ofJob.push(r);
    const pages = (await apiCallsSince(mark)).filter((e) => e.path === "/api/2.2/jobs/runs/list");
    assert.equal(ofJob.length, 2, "the batch job's two runs (run-now, idempotent run-now), one a page");
    assert.ok(pages.length >= 2, `pages: ${pages.length}`);
    assert.ok(ofJob.every((r) => r.job_id === batchJob));
    assert.equal(new Set(ofJob.map((r) => r.run_id)).size, ofJob.length);
    const starts = ofJob.map((r) => r.start_time);
    assert.deepEqual(starts, [...starts].sort((a, b) => b - a), "most recently started first");

    const cancelled = await (await w.jobs.cancelRun({ run_id: streamRun })).wait(WAIT);
    assert.equal(cancelled.run_id, streamRun);
    assert.equal(cancelled.state.life_cycle_state, "TERMINATED");
    assert.equal(cancelled.state.result_state, "CANCELED");
    assert.equal(cancelled.status.termination_details.code, "USER_CANCELED");
    checkRunShape(cancelled);
  });

  test("a run over max_concurrent_runs (queue off) is SKIPPED and the waiter ends on it", async () => {
    const { job_id } = await w.jobs.create({
      name: "sdk-single",
      max_concurrent_runs: 1,
      queue: { enabled: false },
      tasks: [notebookTask("hold", "/Shared/stream/hold")],
    });
    const job = await w.jobs.get({ job_id });
    assert.equal(job.settings.queue?.enabled, false);
    const first = await w.jobs.runNow({ job_id });
    const second = await w.jobs.runNow({ job_id });
    assert.notEqual(second.run_id, first.run_id);
    const skipped = await second.wait(WAIT);
    assert.equal(skipped.state.life_cycle_state, "SKIPPED");
    assert.equal(skipped.state.result_state, "MAXIMUM_CONCURRENT_RUNS_REACHED");
    assert.equal(skipped.status.termination_details.code, "MAX_CONCURRENT_RUNS_EXCEEDED");
    checkRunShape(skipped);
    const stillRunning = await w.jobs.getRun({ run_id: first.run_id });
    assert.ok(["PENDING", "RUNNING"].includes(stillRunning.state.life_cycle_state));
    const ended = await (await w.jobs.cancelRun({ run_id: first.run_id })).wait(WAIT);
    assert.equal(ended.state.result_state, "CANCELED");
  });

  test("a failed run, repaired and waited by the SDK's repair waiter", async () => {
    const { job_id } = await w.jobs.create({ name: "sdk-flaky", tasks: [notebookTask("flaky", "/Shared/flaky/t")] });
    // As on a real workspace, a failed task rolls the run up to the legacy INTERNAL_ERROR, which
    // the SDK's waiter reports as a JobsError.
    const run = await w.jobs.runNow({ job_id });
    await assert.rejects(run.wait(WAIT), (err) => err instanceof sdk.jobs.JobsError && /got INTERNAL_ERROR/.test(err.message));
    const failed = await w.jobs.getRun({ run_id: run.run_id });
    assert.equal(failed.state.life_cycle_state, "INTERNAL_ERROR");
    assert.equal(failed.state.result_state, "FAILED");
    assert.equal(failed.tasks[0].state.life_cycle_state, "TERMINATED");
    assert.equal(failed.tasks[0].state.result_state, "FAILED");
    assert.equal(failed.status.state, "TERMINATED");
    assert.equal(failed.tasks[0].attempt_number, 0, "the first attempt is number 0");
    checkRunShape(failed);

    const waiter = await w.jobs.repairRun({ run_id: failed.run_id, rerun_all_failed_tasks: true });
    assert.ok(Number.isSafeInteger(waiter.repair_id));
    const repaired = await waiter.wait(WAIT);
    assert.equal(repaired.run_id, failed.run_id);
    assert.equal(repaired.state.life_cycle_state, "TERMINATED");
    assert.equal(repaired.state.result_state, "SUCCESS");
    checkRunShape(repaired);

    const history = (await w.jobs.getRun({ run_id: failed.run_id, include_history: true })).repair_history;
    assert.deepEqual(
      history.map((h) => h.type),
      ["ORIGINAL", "REPAIR"],
    );
    assert.equal(history[1].id, waiter.repair_id);
  });

  test("a failed multi-task run ends INTERNAL_ERROR, which the SDK's waiter reports as a failure", async () => {
    const { job_id } = await w.jobs.create({
      name: "sdk-flaky-dag",
      tasks: [notebookTask("a", "/Shared/flaky/a"), { ...notebookTask("b", "/Shared/batch/b"), depends_on: [{ task_key: "a" }] }],
    });
    const waiter = await w.jobs.runNow({ job_id });
    await assert.rejects(waiter.wait(WAIT), (err) => {
      assert.ok(err instanceof sdk.jobs.JobsError, `a JobsError, got ${err}`);
      assert.match(err.message, /got INTERNAL_ERROR: Task a failed with message/);
      return true;
    });
    const run = await w.jobs.getRun({ run_id: waiter.run_id });
    assert.equal(run.state.result_state, "FAILED");
    assert.equal(run.status.state, "TERMINATED");
    assert.equal(run.status.termination_details.code, "RUN_EXECUTION_ERROR");
    assert.deepEqual(
      run.tasks.map((t) => [t.task_key, t.state.result_state]),
      [
        ["a", "FAILED"],
        ["b", "UPSTREAM_FAILED"],
      ],
    );
    checkRunShape(run);
  });

  test("queueing is on by default for jobs created through 2.2", async () => {
    const { job_id } = await w.jobs.create({
      name: "sdk-queued",
      max_concurrent_runs: 1,
      tasks: [notebookTask("hold", "/Shared/stream/queued")],
    });
    const first = await w.jobs.runNow({ job_id });
    const second = await w.jobs.runNow({ job_id });
    const queued = await pollRun(second.run_id, (r) => r.state.life_cycle_state === "QUEUED", "QUEUED");
    checkRunShape(queued);
    assert.equal(queued.status.state, "QUEUED");
    await (await w.jobs.cancelRun({ run_id: first.run_id })).wait(WAIT);
    const started = await pollRun(second.run_id, (r) => r.state.life_cycle_state === "RUNNING", "RUNNING");
    checkRunShape(started);
    await (await w.jobs.cancelRun({ run_id: second.run_id })).wait(WAIT);
  });
});

describe("clusters", () => {
  let clusterId;

  test("create waited to RUNNING, with the SDK's version and node selectors", async () => {
    const sparkVersion = await w.clusters.selectSparkVersion({ latest: true, longTermSupport: true });
    const nodeType = await w.clusters.selectNodeType({ localDisk: true });
    const states = [];
    const waiter = await w.clusters.create({
      cluster_name: "sdk-cluster",
      spark_version: sparkVersion,
      node_type_id: nodeType,
      num_workers: 1,
      autotermination_minutes: 0,
    });
    clusterId = waiter.cluster_id;
    assert.equal(typeof clusterId, "string");
    const cluster = await waiter.wait({ ...WAIT, onProgress: async (c) => states.push(c.state) });
    assert.equal(cluster.cluster_id, clusterId);
    assert.equal(cluster.state, "RUNNING");
    assert.equal(cluster.spark_version, sparkVersion);
    assert.equal(cluster.node_type_id, nodeType);
    assert.equal(cluster.cluster_source, "API");
    checkClusterShape(cluster);
    assert.equal(states[0], "PENDING");

    const listed = [];
    for await (const c of w.clusters.list({})) listed.push(c.cluster_id);
    assert.ok(listed.includes(clusterId));
  });

  test("start on a running cluster is INVALID_STATE", async () => {
    await expectApiError(w.clusters.start({ cluster_id: clusterId }), {
      status: 400,
      code: "INVALID_STATE",
      message: new RegExp(`Cluster ${clusterId} is in unexpected state Running`),
    });
  });

  test("delete waited to TERMINATED, then start waited to RUNNING again", async () => {
    const terminated = await (await w.clusters.delete({ cluster_id: clusterId })).wait(WAIT);
    assert.equal(terminated.state, "TERMINATED");
    assert.equal(terminated.termination_reason?.code, "USER_REQUEST");
    checkClusterShape(terminated);

    const running = await (await w.clusters.start({ cluster_id: clusterId })).wait(WAIT);
    assert.equal(running.cluster_id, clusterId);
    assert.equal(running.state, "RUNNING");
    checkClusterShape(running);

    await (await w.clusters.delete({ cluster_id: clusterId })).wait(WAIT);
  });

  test("events: the SDK's iterator follows next_page, newest first", async () => {
    const mark = await traceMark();
    const events = [];
    for await (const e of w.clusters.events({ cluster_id: clusterId, page_size: 2 })) events.push(e);
    const pages = (await apiCallsSince(mark)).filter((e) => e.path === "/api/2.1/clusters/events");
    assert.ok(pages.length >= 3, `pages of 2: ${pages.length}`);
    for (const e of events) {
      assert.equal(e.cluster_id, clusterId);
      inEnum(ENUMS.clusterEvent, e.type, "event.type");
      assert.ok(Number.isSafeInteger(e.timestamp));
    }
    const times = events.map((e) => e.timestamp);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), "DESC by default");
    const types = new Set(events.map((e) => e.type));
    for (const t of ["CREATING", "RUNNING", "TERMINATING", "STARTING"]) assert.ok(types.has(t), `a ${t} event`);
    assert.equal(new Set(events.map((e) => JSON.stringify(e))).size, events.length, "no event twice");
  });

  test("a missing cluster", async () => {
    await expectApiError(w.clusters.get({ cluster_id: "0101-000000-nosuchcl" }), {
      status: 400,
      code: "INVALID_PARAMETER_VALUE",
      message: /^Cluster 0101-000000-nosuchcl does not exist$/,
    });
  });
});

describe("errors", () => {
  let jobId;
  before(async () => {
    jobId = (await w.jobs.create({ name: "sdk-errors", tasks: [notebookTask("t", "/Shared/x")] })).job_id;
  });

  test("a missing job and a missing run", async () => {
    await expectApiError(w.jobs.get({ job_id: 123456789 }), {
      status: 400,
      code: "INVALID_PARAMETER_VALUE",
      message: /^Job 123456789 does not exist\.$/,
    });
    await expectApiError(w.jobs.getRun({ run_id: 987654321 }), {
      status: 400,
      code: "INVALID_PARAMETER_VALUE",
      message: /^Run 987654321 does not exist\.$/,
    });
  });

  test("invalid parameters", async () => {
    await expectApiError(w.jobs.create({ name: "bad", max_concurrent_runs: 5000, tasks: [notebookTask("t", "/x")] }), {
      status: 400,
      code: "INVALID_PARAMETER_VALUE",
    });
    await expectApiError(
      (async () => {
        for await (const r of w.jobs.listRuns({ limit: 100 })) void r;
      })(),
      { status: 400, code: "INVALID_PARAMETER_VALUE", message: /Invalid limit 100/ },
    );
    await expectApiError(
      (async () => {
        for await (const r of w.jobs.listRuns({ active_only: true, completed_only: true })) void r;
      })(),
      { status: 400, code: "INVALID_PARAMETER_VALUE" },
    );
  });

  test("a wrong token is 403 Invalid access token", async () => {
    const err = await expectApiError(client("dapi-wrong").jobs.get({ job_id: jobId }), { status: 403 });
    assert.equal(String(err.errorCode), "403");
    assert.equal(err.message, "Invalid access token.");
  });

  test("a 429 is retried by the SDK itself to success", async () => {
    await admin("POST", "faults", { pattern: "GET /api/2.2/jobs/get", status: 429, times: 2, retry_after_s: 1 });
    const mark = await traceMark();
    const job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.job_id, jobId);
    const calls = (await apiCallsSince(mark)).filter((e) => e.path === "/api/2.2/jobs/get");
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 429, 200],
    );
  });

  test("a 503 with a transient message is retried by the SDK to success", async () => {
    await admin("POST", "faults", {
      pattern: "GET /api/2.2/jobs/get",
      status: 503,
      times: 1,
      message: "com.databricks.backend.manager.util.UnknownWorkerEnvironmentException: Unknown worker environment",
    });
    const mark = await traceMark();
    const job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.job_id, jobId);
    const calls = (await apiCallsSince(mark)).filter((e) => e.path === "/api/2.2/jobs/get");
    assert.deepEqual(
      calls.map((c) => c.status),
      [503, 200],
    );
  });

  test("a plain 503 reaches the caller as TEMPORARILY_UNAVAILABLE (this SDK retries only 429 and transient messages)", async () => {
    await admin("POST", "faults", { pattern: "GET /api/2.2/jobs/get", status: 503, times: 1 });
    await expectApiError(w.jobs.get({ job_id: jobId }), { status: 503, code: "TEMPORARILY_UNAVAILABLE" });
    const job = await w.jobs.get({ job_id: jobId });
    assert.equal(job.job_id, jobId);
  });

  test("INVALID_STATE: deleting an active run", async () => {
    const { job_id } = await w.jobs.create({ name: "sdk-busy", tasks: [notebookTask("t", "/Shared/stream/busy")] });
    const { run_id } = await w.jobs.runNow({ job_id });
    await expectApiError(w.jobs.deleteRun({ run_id }), {
      status: 400,
      code: "INVALID_STATE",
      message: new RegExp(`Cannot delete run ${run_id}`),
    });
    await (await w.jobs.cancelRun({ run_id })).wait(WAIT);
    await w.jobs.deleteRun({ run_id });
    await expectApiError(w.jobs.getRun({ run_id }), { status: 400, code: "INVALID_PARAMETER_VALUE" });
  });

  test("an unknown endpoint", async () => {
    await admin("POST", "faults/clear");
    await expectApiError(w.jobs.getPermissionLevels({ job_id: String(jobId) }), {
      status: 404,
      code: "ENDPOINT_NOT_FOUND",
      message: /^Bad Target: /,
    });
  });
});
