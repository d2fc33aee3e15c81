// The sidebar's rows as data, and the sink model.ts and model-groups.ts add them to. Pure.
export interface RowIcon {
  readonly id: string;
  readonly color?: string;
}

type RowRef =
  | { readonly kind: "probe"; readonly probeId: string }
  | { readonly kind: "process"; readonly probeId: string; readonly pid: number }
  | { readonly kind: "alert"; readonly probeId: string; readonly key: string }
  | { readonly kind: "other"; readonly probeId: string };

export interface Row {
  readonly id: string;
  readonly parentId: string | null;
  readonly label: string;
  readonly description: string;
  /** plain text, never markdown */
  readonly tooltip: string;
  readonly icon: RowIcon | null;
  /** `viewItem` in menus: watchdog.probe.<phase>.<direct|ssh|local>, watchdog.process, … */
  readonly contextValue: string;
  /** null for a leaf; otherwise whether it starts expanded */
  readonly expanded: boolean | null;
  readonly childIds: readonly string[];
  readonly ref: RowRef;
  /** what a click does: open the command-line document of a process row, or reveal (and unfold) a row */
  readonly click: RowClick | null;
  /** a current alarm (firing alert, blocking process): a row that appears with it is revealed */
  readonly alarm: boolean;
}

export type RowClick = { readonly kind: "cmdline" | "reveal"; readonly rowId: string };

export interface TreeModel {
  readonly rootIds: readonly string[];
  readonly rows: ReadonlyMap<string, Row>;
}

export type RowInit = Omit<
  Row,
  "childIds" | "parentId" | "expanded" | "click" | "alarm" | "icon" | "tooltip" | "description"
> &
  Partial<Pick<Row, "expanded" | "click" | "alarm" | "icon" | "tooltip" | "description">>;

/** Collects rows; a duplicate id (a hostile or buggy probe repeating a pid) is dropped, not rendered twice. */
export class RowSink {
  readonly rows = new Map<string, Row & { childIds: string[] }>();
  readonly rootIds: string[] = [];

  add(parentId: string | null, init: RowInit): boolean {
    if (this.rows.has(init.id)) return false;
    const parent = parentId === null ? null : this.rows.get(parentId);
    if (parentId !== null && parent === undefined) return false;
    this.rows.set(init.id, {
      description: "",
      tooltip: "",
      icon: null,
      expanded: null,
      click: null,
      alarm: false,
      ...init,
      parentId,
      childIds: [],
    });
    if (parent) parent.childIds.push(init.id);
    else this.rootIds.push(init.id);
    return true;
  }

  /** A group that ended up with no children is shown as a leaf, not as an empty twisty. */
  settle(): TreeModel {
    for (const [id, row] of this.rows) {
      if (row.expanded !== null && row.childIds.length === 0) this.rows.set(id, { ...row, expanded: null });
    }
    return { rootIds: this.rootIds, rows: this.rows };
  }
}
