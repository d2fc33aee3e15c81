// What a contributor sees while @vscode/test-electron fetches a VS Code.
import { ProgressReportStage } from "@vscode/test-electron";
import { describe, expect, it } from "vitest";
import { DownloadLog } from "./download-log.js";

describe("DownloadLog", () => {
  it("prints the stages and the download in tenths, not once per chunk", () => {
    const lines: string[] = [];
    const log = new DownloadLog((l) => lines.push(l));
    const url = "https://example.invalid/code.tar.gz";
    const MB = 1024 * 1024;
    log.report({ stage: ProgressReportStage.ResolvedVersion, version: "1.96.4" });
    for (let b = 0; b <= 100 * MB; b += MB / 4) {
      log.report({ stage: ProgressReportStage.Downloading, url, totalBytes: 100 * MB, bytesSoFar: b });
    }
    log.report({
      stage: ProgressReportStage.NewInstallComplete,
      downloadedPath: "/r/.vscode-test/vscode-linux-x64-1.96.4",
    });
    expect(lines[0]).toBe("test:vscode: VS Code 1.96.4");
    expect(lines.filter((l) => l.includes("downloading"))).toHaveLength(11);
    expect(lines).toContain(`test:vscode: downloading ${url}: 100.0 of 100.0 MB`);
    expect(lines[lines.length - 1]).toBe("test:vscode: VS Code is in /r/.vscode-test/vscode-linux-x64-1.96.4");
  });
});
