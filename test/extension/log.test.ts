// The extension's logger: every part's lines say which part wrote them, at the level it chose.
import { describe, expect, it } from "vitest";
import { rootLogger } from "../../extension/log.js";
import { memoryLog } from "../helpers/memory-log.js";

describe("the extension's logger", () => {
  it("a child prefixes its name, a grandchild both names, the root none", () => {
    const { log, lines } = memoryLog();
    const probe = log.child("probe:lab");
    log.info("activated");
    probe.info("connected");
    probe.child("ssh").debug("host key accepted");
    expect(lines).toEqual([
      "info activated",
      "info [probe:lab] connected",
      "debug [probe:lab] [ssh] host key accepted",
    ]);
  });

  it("each level reaches the sink's method of that name", () => {
    const seen: string[] = [];
    const sink = {
      trace: (m: string) => void seen.push(`T ${m}`),
      debug: (m: string) => void seen.push(`D ${m}`),
      info: (m: string) => void seen.push(`I ${m}`),
      warn: (m: string) => void seen.push(`W ${m}`),
      error: (m: string) => void seen.push(`E ${m}`),
    };
    const log = rootLogger(sink).child("manager");
    log.trace("a");
    log.debug("b");
    log.info("c");
    log.warn("d");
    log.error("e");
    expect(seen).toEqual(["T [manager] a", "D [manager] b", "I [manager] c", "W [manager] d", "E [manager] e"]);
  });

  it("calls a sink whose methods need their `this` (as VS Code's LogOutputChannel) as methods", () => {
    class Channel {
      readonly lines: string[] = [];
      info(m: string) {
        this.lines.push(m);
      }
      trace() {}
      debug() {}
      warn() {}
      error() {}
    }
    const channel = new Channel();
    rootLogger(channel).child("commands").info("token for probe lab stored in secret storage");
    expect(channel.lines).toEqual(["[commands] token for probe lab stored in secret storage"]);
  });
});
