// English alert texts. `{name}` is filled in (and escaped) by texts.ts; `\n` starts a
// new line. texts-ru.ts must have exactly these keys with the same placeholders.
export const EN = {
  action_alert: "ALERT",
  action_repeat: "REMINDER #{n}",
  action_recovery: "RESOLVED",

  kind_orch_down: "Orchestrator is down",
  kind_proc_blocking: "Test process blocking the host",
  kind_disk_ceiling: "Disk almost full",
  kind_container_down: "Container is not running",
  kind_container_unhealthy: "Container is unhealthy",
  kind_dep_down: "Dependency unreachable",
  kind_source_error: "Watchdog source failing",
  kind_delivery_failing: "Alerts are not being delivered",
  kind_metric: "Metric rule {rule}",

  entity_orch_down: "Component: {entity}",
  entity_proc_blocking: "PID: {entity}",
  entity_disk_ceiling: "Path: {entity}",
  entity_container_down: "Container: {entity}",
  entity_container_unhealthy: "Container: {entity}",
  entity_dep_down: "Dependency: {entity}",
  entity_source_error: "Source: {entity}",
  entity_delivery_failing: "Channel: {entity}",
  entity_metric: "Series: {entity}",

  host: "Host: {host}",
  since_alert: "Since: {since}",
  since_repeat: "Since: {since} (active for {duration})",
  since_recovery: "Was active for {duration}: {since} → {until}",
  detail_proc_blocking: "Process:",
  detail_other: "Details:",
  todo: "What to do:",

  todo_orch_down:
    "Check the orchestrator on {host}: is its container running ({cmdPs})? What do its logs say ({cmdLogs})? Does its /metrics endpoint answer?",
  todo_proc_blocking: "On host {host}, stop the process: {cmdTerm}\nIf it is still there after a minute: {cmdKill}",
  todo_disk_ceiling:
    "Free space on {entity} on {host} (old build artefacts, logs, unused images: {cmdPrune}). Check with {cmdDf}.",
  todo_container_down:
    "Find out why {entity} stopped on {host}: {cmdLogs}\nThen start it again: {cmdStart} (or through its compose file).",
  todo_container_unhealthy:
    "See what the health check of {entity} reports on {host}: {cmdHealth}\nThen read its logs: {cmdLogs}",
  todo_dep_down: "Check that {entity} is running and that {host} can reach it over the network.",
  todo_source_error:
    "The watchdog cannot see part of {host}: source {entity} is failing, so alerts it would raise may be missing. Check the probe's logs and this source's settings (permissions, socket path, URL).",
  todo_delivery_failing:
    "The watchdog on {host} cannot deliver through {entity}: the Bot API refuses its messages. Check WATCHDOG_TELEGRAM_BOT_TOKEN and WATCHDOG_TELEGRAM_CHAT_ID, and that the bot may write to that chat (unblock it, add it back). Alerts wait in the outbox until then.",
  todo_metric:
    "The orchestrator's metrics on {host} match rule {rule}. Look at the orchestrator's dashboard and logs for the cause.",

  never_acts: "The watchdog only watches and reports; it never stops a process itself.",
  next_reminder: "Next reminder in {duration} if it is still active.",
  recovered_proc_blocking: "The process has exited or is no longer blocking. Nothing to do.",
  recovered_other: "It is back to normal. Nothing to do.",
  notified: "Notifications sent while it was active: {n}",
  truncated: "… (truncated)",

  unit_sep: "",
  unit_d: "d",
  unit_h: "h",
  unit_m: "m",
  unit_s: "s",
} as const;

export type TextKey = keyof typeof EN;
export type Catalog = Record<TextKey, string>;
