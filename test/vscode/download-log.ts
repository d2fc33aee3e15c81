// test-electron's own console reporter is an ora spinner that keeps spinning when the
// version lookup fails (nothing stops it), over the code-server run that follows. This one
// prints plain lines: the stages, and the download in tenths.
import { ProgressReportStage, type ProgressReport, type ProgressReporter } from "@vscode/test-electron";

export class DownloadLog implements ProgressReporter {
  private tenths = -1;

  constructor(private readonly log: (line: string) => void) {}

  report(r: ProgressReport): void {
    switch (r.stage) {
      case ProgressReportStage.ResolvedVersion:
        return this.log(`test:vscode: VS Code ${r.version}`);
      case ProgressReportStage.FoundMatchingInstall:
        return this.log(`test:vscode: using the copy in ${r.downloadedPath}`);
      case ProgressReportStage.Downloading: {
        const tenths = r.totalBytes > 0 ? Math.floor((10 * r.bytesSoFar) / r.totalBytes) : 0;
        if (tenths === this.tenths) return;
        this.tenths = tenths;
        const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
        return this.log(`test:vscode: downloading ${r.url}: ${mb(r.bytesSoFar)} of ${mb(r.totalBytes)} MB`);
      }
      case ProgressReportStage.Retrying:
        this.tenths = -1;
        return this.log(
          `test:vscode: download failed (${r.error.message}), attempt ${r.attempt} of ${r.totalAttempts}`,
        );
      case ProgressReportStage.NewInstallComplete:
        return this.log(`test:vscode: VS Code is in ${r.downloadedPath}`);
      default:
        return;
    }
  }

  error(): void {
    // the rejection that follows carries the reason; main.ts prints it once
  }
}
