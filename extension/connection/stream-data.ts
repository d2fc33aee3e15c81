// What one probe's stream has told us, kept across reconnects: the latest hello and snapshot,
// the newest decisions without repeats, and how many frames were dropped. Pure: no socket, no
// clock (the caller passes the arrival time); client.ts owns the socket and feeds it frames.
import type { Decision, Hello, Snapshot } from "../../probe/protocol.js";

export const MAX_DECISIONS = 50;

export class StreamData {
  hello: Hello | null = null;
  snapshot: Snapshot | null = null;
  /** ms since epoch when `snapshot` arrived */
  snapshotReceivedAt: number | null = null;
  /** newest last, at most MAX_DECISIONS */
  decisions: Decision[] = [];
  /** inbound frames that failed validation and were dropped */
  rejectedFrames = 0;
  /** hostname/pid/startedAt of the probe process the decisions came from */
  private instance: string | null = null;
  /** highest decision seq held for `instance`: replays after a reconnect repeat what we have */
  private lastDecisionSeq = -1;

  onHello(m: Hello): void {
    const instance = `${m.probe.hostname}/${m.probe.pid}/${m.probe.startedAt}`;
    if (this.instance !== instance) {
      // a restarted probe numbers from scratch and replays only its own decisions
      this.decisions = [];
      this.lastDecisionSeq = -1;
    }
    this.instance = instance;
    this.hello = m;
  }

  onSnapshot(m: Snapshot, receivedAt: number): void {
    this.snapshot = m;
    this.snapshotReceivedAt = receivedAt;
  }

  /** Keeps a new decision; false for one already held (the probe's replay after a reconnect). */
  addDecision(m: Decision): boolean {
    if (m.seq <= this.lastDecisionSeq) return false;
    this.lastDecisionSeq = m.seq;
    this.decisions.push(m);
    if (this.decisions.length > MAX_DECISIONS) this.decisions.splice(0, this.decisions.length - MAX_DECISIONS);
    return true;
  }
}
