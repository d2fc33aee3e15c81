// Rows under a probe that is disconnected or stale: its last snapshot may be out of date, so
// nothing there may look current. Pure.
import { ageBucket, type Translate } from "./format.js";
import type { RowIcon, RowSink } from "./rows.js";

/** The colour of muted icons: the theme's colour for disabled text. */
const MUTED = "disabledForeground";

/** A green check says "fine now"; in old data it becomes an empty circle. */
function mutedIcon(icon: RowIcon | null): RowIcon | null {
  if (icon === null) return null;
  if (icon.id === "pass" || icon.id === "check") return { id: "circle-large-outline", color: MUTED };
  return { id: icon.id, color: MUTED };
}

/**
 * Rewrites the rows under `probeRow`: muted icons, "last known: …" on every group, and a
 * first row saying how old the data is. `ageMs` null: unknown (no snapshot time).
 */
export function markLastKnown(
  sink: RowSink,
  probeRow: string,
  probeId: string,
  ageMs: number | null,
  t: Translate,
): void {
  const probe = sink.rows.get(probeRow);
  if (probe === undefined) return;
  const age = ageMs === null ? null : ageBucket(ageMs / 1000, t);
  const stack = [...probe.childIds];
  for (let guard = 0; stack.length > 0 && guard < 100_000; guard++) {
    const id = stack.pop()!;
    const row = sink.rows.get(id);
    if (row === undefined) continue;
    const group = row.parentId === probeRow;
    sink.rows.set(id, {
      ...row,
      icon: mutedIcon(row.icon),
      alarm: false,
      description: group && row.description !== "" ? t("last known: {0}", row.description) : row.description,
      tooltip: row.tooltip === "" ? "" : `${t("Last known data, not current.")}\n${row.tooltip}`,
    });
    stack.push(...row.childIds);
  }
  const infoId = `${probeRow}/#last-known`;
  if (
    sink.add(probeRow, {
      id: infoId,
      label: age === null ? t("Last known") : t("Last known · {0} ago", age),
      tooltip: t("The probe is not connected or has stopped sending: the rows below are its last snapshot."),
      icon: { id: "history", color: "list.warningForeground" },
      contextValue: "watchdog.info",
      ref: { kind: "other", probeId },
    })
  ) {
    // first under the probe, above the old data it describes
    probe.childIds.pop();
    probe.childIds.unshift(infoId);
  }
}
