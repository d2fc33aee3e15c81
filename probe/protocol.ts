// The wire contract between the probe and its clients (docs/protocol.md, version 1).
// Both sides import these schemas: the probe validates what it sends in tests, the
// extension parses every inbound frame with them. Fields may be added, never renamed.
// zod/mini, not classic zod: the extension loads this at activation, and classic zod's
// bundle (with every locale) cost ~45 ms of a ~100 ms budget; mini is ~16 KB.
import * as z from "zod/mini";

export const PROTOCOL_VERSION = 1;
export const STREAM_PATH = "/v1/stream";
/** Largest frame a client may send; anything bigger closes the socket with 1008. */
export const MAX_CLIENT_FRAME_BYTES = 1024;
export const MAX_CLIENTS = 32;
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
export const PING_INTERVAL_MS = 30_000;
export const DECISION_REPLAY = 50;
export const MAX_PROCESSES = 500;
export const CLOSE_POLICY = 1008;
export const CLOSE_TRY_AGAIN = 1013;

const iso = z.iso.datetime({ offset: true });
const isoOrNull = z.nullable(iso);
/** Same checks as classic `z.number().int().nonnegative()`: a safe integer ≥ 0. */
const count = () => z.int().check(z.nonnegative());
const nonneg = () => z.number().check(z.nonnegative());

/** @public part of the wire contract for other clients (docs/protocol.md) */
export const SeveritySchema = z.enum(["info", "warning", "critical"]);
/** @public part of the wire contract for other clients (docs/protocol.md) */
export const ActionSchema = z.enum(["alert", "repeat", "recovery"]);
/** @public part of the wire contract for other clients (docs/protocol.md) */
export const DeliverySchema = z.enum(["queued", "sent", "failed", "disabled"]);

export const HelloSchema = z.object({
  type: z.literal("hello"),
  protocol: z.literal(PROTOCOL_VERSION),
  probe: z.object({
    version: z.string(),
    hostname: z.string(),
    pid: z.int(),
    startedAt: iso,
  }),
  config: z.object({
    enabled: z.boolean(),
    tickS: z.number().check(z.positive()),
    orchDownTicks: z.int().check(z.positive()),
    cooldownS: nonneg(),
    proc: z.object({
      enabled: z.boolean(),
      ageMin: nonneg(),
      patterns: z.array(z.string()),
      cooldownS: nonneg(),
    }),
    telegram: z.object({ enabled: z.boolean() }),
    /** absent from probes before 0.2: the views then cannot tell whether Alertmanager is set */
    alertmanager: z.optional(z.object({ enabled: z.boolean() })),
  }),
});

/** @public part of the wire contract for other clients (docs/protocol.md) */
export const SourceStatusSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  error: z.nullable(z.string()),
  ms: nonneg(),
});

export const OrchStateSchema = z.object({
  configured: z.boolean(),
  up: z.nullable(z.boolean()),
  failures: count(),
  threshold: z.int().check(z.positive()),
  lastOkAt: isoOrNull,
  lastError: z.nullable(z.string()),
});

export const ProcessSchema = z.object({
  pid: count(),
  ppid: count(),
  comm: z.string(),
  state: z.string(),
  ageS: nonneg(),
  startedAt: isoOrNull,
  orphaned: z.boolean(),
  blocking: z.boolean(),
  argv: z.array(z.string()),
  cmdline: z.string(),
});

export const SignalSchema = z.object({
  key: z.string(),
  kind: z.string(),
  entity: z.string(),
  active: z.boolean(),
  severity: SeveritySchema,
  title: z.string(),
  detail: z.string(),
});

/** @public part of the wire contract for other clients (docs/protocol.md) */
export const AlertSchema = z.object({
  key: z.string(),
  kind: z.string(),
  entity: z.string(),
  firing: z.boolean(),
  since: isoOrNull,
  lastNotifiedAt: isoOrNull,
  cooldownUntil: isoOrNull,
  notifications: count(),
});

/** @public part of the wire contract for other clients (docs/protocol.md) */
export const DiskSchema = z.object({ path: z.string(), usedPct: z.number() });
export const HostSchema = z.object({
  disk: z.array(DiskSchema),
  load: z.array(z.number()),
});

export const ContainerSchema = z.object({
  name: z.string(),
  state: z.string(),
  health: z.nullable(z.string()),
  restarts: count(),
});

export const DepSchema = z.object({
  name: z.string(),
  target: z.string(),
  up: z.nullable(z.boolean()),
  ms: z.nullable(nonneg()),
});

export const SnapshotSchema = z.object({
  type: z.literal("snapshot"),
  seq: count(),
  at: iso,
  tickMs: nonneg(),
  enabled: z.boolean(),
  sources: z.array(SourceStatusSchema),
  orch: OrchStateSchema,
  processes: z.array(ProcessSchema).check(z.maxLength(MAX_PROCESSES)),
  processesTruncated: count(),
  signals: z.array(SignalSchema),
  alerts: z.array(AlertSchema),
  host: z.nullable(HostSchema),
  containers: z.array(ContainerSchema),
  deps: z.array(DepSchema),
});

export const DecisionSchema = z.object({
  type: z.literal("decision"),
  seq: count(),
  at: iso,
  key: z.string(),
  kind: z.string(),
  entity: z.string(),
  action: ActionSchema,
  text: z.string(),
  delivery: z.object({ telegram: DeliverySchema }),
});

export const ServerMessageSchema = z.discriminatedUnion("type", [HelloSchema, SnapshotSchema, DecisionSchema]);

export const PingSchema = z.object({ type: z.literal("ping") });
export const ClientMessageSchema = z.discriminatedUnion("type", [PingSchema]);

export type Severity = z.infer<typeof SeveritySchema>;
export type Action = z.infer<typeof ActionSchema>;
/** @public part of the wire contract for other clients (docs/protocol.md) */
export type Delivery = z.infer<typeof DeliverySchema>;
export type Hello = z.infer<typeof HelloSchema>;
export type SourceStatus = z.infer<typeof SourceStatusSchema>;
export type OrchState = z.infer<typeof OrchStateSchema>;
export type ProcessInfo = z.infer<typeof ProcessSchema>;
export type Signal = z.infer<typeof SignalSchema>;
export type Alert = z.infer<typeof AlertSchema>;
export type HostState = z.infer<typeof HostSchema>;
export type ContainerInfo = z.infer<typeof ContainerSchema>;
export type DepInfo = z.infer<typeof DepSchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
/** @public part of the wire contract for other clients (docs/protocol.md) */
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
