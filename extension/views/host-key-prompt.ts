// The modal question about an SSH host key nobody vouches for yet (see connection/host-key-broker.ts).
import * as vscode from "vscode";
import type { HostKeyAnswer, HostKeyPromptInfo } from "../connection/types.js";
import type { Translate } from "./format.js";

export async function askHostKey(info: HostKeyPromptInfo, t: Translate): Promise<HostKeyAnswer> {
  const once = t("Accept Once");
  const trust = t("Trust This Key");
  const answer = await vscode.window.showWarningMessage(
    t("Probe {0}: the SSH host key of {1} (port {2}) is not known.", info.probe, info.host, info.port),
    {
      modal: true,
      detail: t(
        "{0} key fingerprint:\n{1}\n\nCompare it with the server's own (ssh-keygen -lf on the host's key) before accepting. \"Trust\" remembers it in VS Code, not in known_hosts.",
        info.keyType,
        info.fingerprint,
      ),
    },
    once,
    trust,
  );
  return answer === once ? "once" : answer === trust ? "trust" : "cancel";
}
