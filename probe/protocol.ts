// The wire contract between the probe and its clients (../shared/PROTOCOL.md, version 1).
// Both sides import these schemas: the probe validates what it sends in tests, the
// extension parses every inbound frame with them. Fields may be added, never renamed.
import { z } from "zod";

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

const iso = z.string().datetime({ offset: true });
const isoOrNull = iso.nullable();

export const SeveritySchema = z.enum(["info", "warning", "critical"]);
export const ActionSchema = z.enum(["alert", "repeat", "recovery"]);
export const DeliverySchema = z.enum(["queued", "sent", "failed", "disabled"]);

export const HelloSchema = z.object({
  type: z.literal("hello"),
  protocol: z.literal(PROTOCOL_VERSION),
  probe: z.object({
    version: z.string(),
    hostname: z.string(),
    pid: z.number().int(),
    startedAt: iso,
  }),
  config: z.object({
    enabled: z.boolean(),
    tickS: z.number().positive(),
    orchDownTicks: z.number().int().positive(),
    cooldownS: z.number().nonnegative(),
    proc: z.object({
      enabled: z.boolean(),
      ageMin: z.number().nonnegative(),
      patterns: z.array(z.string()),
      cooldownS: z.number().nonnegative(),
    }),
    telegram: z.object({ enabled: z.boolean() }),
  }),
});

export const SourceStatusSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
  ms: z.number().nonnegative(),
});

export const OrchStateSchema = z.object({
  configured: z.boolean(),
  up: z.boolean().nullable(),
  failures: z.number().int().nonnegative(),
  threshold: z.number().int().positive(),
  lastOkAt: isoOrNull,
  lastError: z.string().nullable(),
});

export const ProcessSchema = z.object({
  pid: z.number().int().nonnegative(),
  ppid: z.number().int().nonnegative(),
  comm: z.string(),
  state: z.string(),
  ageS: z.number().nonnegative(),
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

export const AlertSchema = z.object({
  key: z.string(),
  kind: z.string(),
  entity: z.string(),
  firing: z.boolean(),
  since: isoOrNull,
  lastNotifiedAt: isoOrNull,
  cooldownUntil: isoOrNull,
  notifications: z.number().int().nonnegative(),
});

export const DiskSchema = z.object({ path: z.string(), usedPct: z.number() });
export const HostSchema = z.object({
  disk: z.array(DiskSchema),
  load: z.array(z.number()),
});

export const ContainerSchema = z.object({
  name: z.string(),
  state: z.string(),
  health: z.string().nullable(),
  restarts: z.number().int().nonnegative(),
});

export const DepSchema = z.object({
  name: z.string(),
  target: z.string(),
  up: z.boolean().nullable(),
  ms: z.number().nonnegative().nullable(),
});

export const SnapshotSchema = z.object({
  type: z.literal("snapshot"),
  seq: z.number().int().nonnegative(),
  at: iso,
  tickMs: z.number().nonnegative(),
  enabled: z.boolean(),
  sources: z.array(SourceStatusSchema),
  orch: OrchStateSchema,
  processes: z.array(ProcessSchema).max(MAX_PROCESSES),
  processesTruncated: z.number().int().nonnegative(),
  signals: z.array(SignalSchema),
  alerts: z.array(AlertSchema),
  host: HostSchema.nullable(),
  containers: z.array(ContainerSchema),
  deps: z.array(DepSchema),
});

export const DecisionSchema = z.object({
  type: z.literal("decision"),
  seq: z.number().int().nonnegative(),
  at: iso,
  key: z.string(),
  kind: z.string(),
  entity: z.string(),
  action: ActionSchema,
  text: z.string(),
  delivery: z.object({ telegram: DeliverySchema }),
});

export const ServerMessageSchema = z.discriminatedUnion("type", [
  HelloSchema,
  SnapshotSchema,
  DecisionSchema,
]);

export const PingSchema = z.object({ type: z.literal("ping") });
export const ClientMessageSchema = z.discriminatedUnion("type", [PingSchema]);

export type Severity = z.infer<typeof SeveritySchema>;
export type Action = z.infer<typeof ActionSchema>;
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
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
